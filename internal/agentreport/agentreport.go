// Package agentreport tells what an agent session did, from CloudTrail:
// LookupEvents by each access key the session served, in the regions it
// used, within CloudTrail's 2 requests a second, and the policy that would
// allow exactly what succeeded.
package agentreport

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/credchain/credchain/internal/awshttp"
)

// Event is one CloudTrail management event.
type Event struct {
	Time      time.Time
	Source    string // iam.amazonaws.com
	Name      string // ListUsers
	Region    string
	ErrorCode string // AccessDenied, ...; "" when the call succeeded
	KeyID     string
}

// Action is the IAM action of the event ("iam:ListUsers").
func (e Event) Action() string {
	return strings.TrimSuffix(e.Source, ".amazonaws.com") + ":" + e.Name
}

// Denied reports whether the call was refused for want of permission.
func (e Event) Denied() bool {
	return e.ErrorCode == "AccessDenied" || e.ErrorCode == "AccessDeniedException" || strings.HasSuffix(e.ErrorCode, "UnauthorizedOperation")
}

// Lookup finds the events of one access key in one region (all pages).
type Lookup func(ctx context.Context, region, keyID string, start, end time.Time) ([]Event, error)

// NewLookup calls CloudTrail with creds, at endpoint when it is set, no
// faster than two requests a second (CloudTrail's LookupEvents limit).
func NewLookup(creds aws.CredentialsProvider, endpoint string) Lookup {
	var last time.Time
	return func(ctx context.Context, region, keyID string, start, end time.Time) ([]Event, error) {
		o := cloudtrail.Options{Region: region, Credentials: creds, HTTPClient: awshttp.Client()}
		if endpoint != "" {
			o.BaseEndpoint = aws.String(endpoint)
		}
		client := cloudtrail.New(o)
		in := &cloudtrail.LookupEventsInput{StartTime: aws.Time(start), EndTime: aws.Time(end),
			LookupAttributes: []types.LookupAttribute{{AttributeKey: types.LookupAttributeKeyAccessKeyId, AttributeValue: aws.String(keyID)}}}
		var out []Event
		p := cloudtrail.NewLookupEventsPaginator(client, in)
		for p.HasMorePages() {
			if wait := time.Until(last.Add(500 * time.Millisecond)); wait > 0 {
				select {
				case <-time.After(wait):
				case <-ctx.Done():
					return nil, ctx.Err()
				}
			}
			last = time.Now()
			page, err := p.NextPage(ctx)
			if err != nil {
				return nil, fmt.Errorf("CloudTrail LookupEvents in %s: %w", region, err)
			}
			for _, ev := range page.Events {
				out = append(out, event(ev, region, keyID))
			}
		}
		return out, nil
	}
}

// event reads what the report needs from an event and its CloudTrailEvent
// document.
func event(ev types.Event, region, keyID string) Event {
	e := Event{Source: aws.ToString(ev.EventSource), Name: aws.ToString(ev.EventName), Region: region, KeyID: keyID}
	if ev.EventTime != nil {
		e.Time = *ev.EventTime
	}
	var doc struct {
		ErrorCode string `json:"errorCode"`
		Region    string `json:"awsRegion"`
		Source    string `json:"eventSource"`
	}
	if json.Unmarshal([]byte(aws.ToString(ev.CloudTrailEvent)), &doc) == nil {
		e.ErrorCode = doc.ErrorCode
		if doc.Region != "" {
			e.Region = doc.Region
		}
		if e.Source == "" {
			e.Source = doc.Source
		}
	}
	return e
}

// Report is what one session did.
type Report struct {
	Session string
	Keys    []string
	Regions []string
	Events  []Event
}

// Build looks up every key in every region, from start to end.
func Build(ctx context.Context, lookup Lookup, session string, keys, regions []string, start, end time.Time) (Report, error) {
	r := Report{Session: session, Keys: keys, Regions: regions}
	for _, region := range regions {
		for _, k := range keys {
			evs, err := lookup(ctx, region, k, start, end)
			if err != nil {
				return r, err
			}
			r.Events = append(r.Events, evs...)
		}
	}
	sort.SliceStable(r.Events, func(i, j int) bool { return r.Events[i].Time.Before(r.Events[j].Time) })
	return r, nil
}

// Text is the report for a person: calls made and denied by action, and
// what CloudTrail cannot show.
func (r Report) Text() string {
	made, denied := map[string]int{}, map[string]int{}
	regions := map[string]bool{}
	for _, e := range r.Events {
		regions[e.Region] = true
		if e.Denied() {
			denied[e.Action()]++
		} else {
			made[e.Action()]++
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "agent session %s: %d calls by %d keys, in %s\n", r.Session, len(r.Events), len(r.Keys), strings.Join(sortedKeys(regions), ", "))
	for _, sec := range []struct {
		title string
		m     map[string]int
	}{{"calls made", made}, {"calls denied (AccessDenied)", denied}} {
		fmt.Fprintf(&b, "%s:\n", sec.title)
		if len(sec.m) == 0 {
			b.WriteString("  none\n")
		}
		for _, a := range sortedKeys(sec.m) {
			fmt.Fprintf(&b, "  %-50s %d\n", a, sec.m[a])
		}
	}
	b.WriteString("CloudTrail delivers events about 5 to 15 minutes after the call; it records management events,\n" +
		"and data events (S3 objects, Lambda invocations, ...) only where a trail records them. Looked up in: " + strings.Join(r.Regions, ", ") + ".\n")
	return b.String()
}

// SuggestPolicy is an IAM policy that allows exactly the actions that
// succeeded (on any resource): the next session's scope.
func (r Report) SuggestPolicy() ([]byte, error) {
	actions := map[string]bool{}
	for _, e := range r.Events {
		if !e.Denied() && e.ErrorCode == "" {
			actions[e.Action()] = true
		}
	}
	if len(actions) == 0 {
		return nil, fmt.Errorf("no call of session %s succeeded: there is nothing to allow (CloudTrail may not have delivered the events yet)", r.Session)
	}
	doc := map[string]any{"Version": "2012-10-17", "Statement": []map[string]any{{"Sid": "AgentSession", "Effect": "Allow",
		"Action": sortedKeys(actions), "Resource": "*"}}}
	out, err := json.MarshalIndent(doc, "", "  ")
	return append(out, '\n'), err
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
