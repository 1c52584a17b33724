// Package cloudtrailtest is a CloudTrail stand-in for credchain's tests:
// LookupEvents (JSON 1.1) answers, for any access key looked up, the events
// Events gives it, two a page; it records each request's region (from the
// SigV4 scope) and time. Its answers are checked against botocore's model
// by running boto3's paginator against it.
package cloudtrailtest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"sync"
	"time"
)

// Event is what the stand-in reports for a key: the call's service host,
// name, and error code ("" for a success).
type Event struct {
	Source, Name, ErrorCode string
}

// Request is one LookupEvents call received.
type Request struct {
	Region, KeyID string
	At            time.Time
}

// Server is a running stand-in.
type Server struct {
	*httptest.Server
	// Events are reported for every key looked up.
	Events []Event
	mu     sync.Mutex
	reqs   []Request
}

var scopeRe = regexp.MustCompile(`Credential=[^/]+/\d{8}/([^/]+)/cloudtrail/`)

// New starts a stand-in on 127.0.0.1.
func New(events ...Event) *Server {
	s := &Server{Events: events}
	s.Server = httptest.NewServer(http.HandlerFunc(s.handle))
	return s
}

// Requests returns the calls received so far.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.reqs...)
}

func (s *Server) handle(w http.ResponseWriter, r *http.Request) {
	// botocore names the target with the model's full prefix, aws-sdk-go-v2
	// with its last part; CloudTrail takes both.
	if t := r.Header.Get("X-Amz-Target"); t != "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.LookupEvents" && t != "CloudTrail_20131101.LookupEvents" {
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprint(w, `{"__type":"UnsupportedOperationException","message":"only LookupEvents"}`)
		return
	}
	var in struct {
		LookupAttributes []struct{ AttributeKey, AttributeValue string }
		NextToken        string
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<16)).Decode(&in); err != nil || len(in.LookupAttributes) != 1 || in.LookupAttributes[0].AttributeKey != "AccessKeyId" {
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprint(w, `{"__type":"InvalidLookupAttributesException","message":"one AccessKeyId attribute"}`)
		return
	}
	region := ""
	if m := scopeRe.FindStringSubmatch(r.Header.Get("Authorization")); m != nil {
		region = m[1]
	}
	key := in.LookupAttributes[0].AttributeValue
	s.mu.Lock()
	s.reqs = append(s.reqs, Request{Region: region, KeyID: key, At: time.Now()})
	s.mu.Unlock()
	start, _ := strconv.Atoi(in.NextToken)
	end := min(start+2, len(s.Events))
	out := struct {
		Events    []map[string]any `json:"Events"`
		NextToken string           `json:"NextToken,omitempty"`
	}{Events: []map[string]any{}}
	for i := start; i < end; i++ {
		e := s.Events[i]
		doc := map[string]any{"eventVersion": "1.08", "eventSource": e.Source, "eventName": e.Name, "awsRegion": region,
			"userIdentity": map[string]any{"accessKeyId": key}}
		if e.ErrorCode != "" {
			doc["errorCode"] = e.ErrorCode
		}
		ct, _ := json.Marshal(doc)
		out.Events = append(out.Events, map[string]any{"EventId": fmt.Sprintf("%s-%d", key, i), "EventName": e.Name, "ReadOnly": "true",
			"AccessKeyId": key, "EventTime": float64(time.Now().Unix()), "EventSource": e.Source, "Username": "agent",
			"Resources": []any{}, "CloudTrailEvent": string(ct)})
	}
	if end < len(s.Events) {
		out.NextToken = strconv.Itoa(end)
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	_ = json.NewEncoder(w).Encode(out)
}
