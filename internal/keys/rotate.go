package keys

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/smithy-go"

	"github.com/credchain/credchain/creds"
)

// IAM is what rotation calls, signed with one key.
type IAM interface {
	ListAccessKeys(ctx context.Context, in *iam.ListAccessKeysInput, opts ...func(*iam.Options)) (*iam.ListAccessKeysOutput, error)
	CreateAccessKey(ctx context.Context, in *iam.CreateAccessKeyInput, opts ...func(*iam.Options)) (*iam.CreateAccessKeyOutput, error)
	GetAccessKeyLastUsed(ctx context.Context, in *iam.GetAccessKeyLastUsedInput, opts ...func(*iam.Options)) (*iam.GetAccessKeyLastUsedOutput, error)
	DeleteAccessKey(ctx context.Context, in *iam.DeleteAccessKeyInput, opts ...func(*iam.Options)) (*iam.DeleteAccessKeyOutput, error)
}

// Rotator replaces a profile's key with a new one.
type Rotator struct {
	Vault *Vault
	// IAM returns the IAM client signing with k.
	IAM func(k Key) IAM
	// Works checks that k is accepted (STS GetCallerIdentity).
	Works func(ctx context.Context, k Key) error
	// Wait bounds the wait for a new key to work (IAM is eventually
	// consistent): 2 minutes when zero.
	Wait time.Duration
	// Sleep waits between checks (time.Sleep-like; tests make it instant).
	Sleep func(context.Context, time.Duration) error
	// Log says what is happening (never a secret).
	Log func(format string, args ...any)
}

func (r *Rotator) log(format string, args ...any) {
	if r.Log != nil {
		r.Log(format, args...)
	}
}

func (r *Rotator) sleep(ctx context.Context, d time.Duration) error {
	if r.Sleep != nil {
		return r.Sleep(ctx, d)
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// waitWorks checks k with backoff (1 s, doubling, at most 10 s apart)
// until it works or Wait has passed.
func (r *Rotator) waitWorks(ctx context.Context, k Key) error {
	wait := r.Wait
	if wait == 0 {
		wait = 2 * time.Minute
	}
	var waited time.Duration
	delay := time.Second
	for {
		err := r.Works(ctx, k)
		if err == nil {
			return nil
		}
		if waited += delay; waited > wait {
			return fmt.Errorf("the new key %s still fails after %s: %w", creds.MaskKey(k.AccessKeyID), wait, err)
		}
		if err := r.sleep(ctx, delay); err != nil {
			return err
		}
		delay = min(2*delay, 10*time.Second)
	}
}

// Rotate replaces the profile's key: CreateAccessKey with the current key,
// the new key stored as a rotation under way, checked until it works,
// stored as the key in use, then DeleteAccessKey of the old one with the
// new one. Whatever step fails or is interrupted, the store holds a key
// that works, and the next Rotate finishes or undoes the one under way
// before starting its own. It returns the old and the new key ids.
func (r *Rotator) Rotate(ctx context.Context, profile string) (oldID, newID string, err error) {
	v := r.Vault
	where := func(err error) error { return fmt.Errorf("profile %q: rotate: %w", profile, err) }
	var pending rotation
	hasPending, err := v.get(rotationPrefix+profile, &pending)
	if err != nil {
		return "", "", where(err)
	}
	cur, curErr := v.Key(profile)
	if hasPending {
		done, err := r.resume(ctx, profile, cur, curErr, pending)
		if err != nil || done {
			return pending.Replaces, pending.New.AccessKeyID, err
		}
	} else if curErr != nil {
		return "", "", curErr
	}
	existing, err := r.list(ctx, cur)
	if err != nil {
		return "", "", where(err)
	}
	if err := v.put(rotationPrefix+profile, rotation{Replaces: cur.AccessKeyID, Existing: existing}); err != nil {
		return "", "", where(fmt.Errorf("recording the rotation: %w (nothing was changed)", err))
	}
	r.log("creating a new access key with %s", creds.MaskKey(cur.AccessKeyID))
	out, err := r.IAM(cur).CreateAccessKey(ctx, &iam.CreateAccessKeyInput{})
	if err != nil {
		// Refused by IAM: nothing was created. Otherwise IAM may have
		// created the key even so (the answer was lost): the intent stays,
		// for the next rotate to find it.
		var ae smithy.APIError
		if errors.As(err, &ae) {
			_ = v.Store.Delete(rotationPrefix + profile)
		}
		return "", "", where(iamError("CreateAccessKey", err))
	}
	if out.AccessKey == nil || aws.ToString(out.AccessKey.AccessKeyId) == "" || aws.ToString(out.AccessKey.SecretAccessKey) == "" {
		return "", "", where(errors.New("CreateAccessKey returned no key"))
	}
	next := Key{AccessKeyID: aws.ToString(out.AccessKey.AccessKeyId), SecretAccessKey: aws.ToString(out.AccessKey.SecretAccessKey),
		Stored: v.now().UTC().Truncate(time.Second)}
	if err := v.put(rotationPrefix+profile, rotation{New: next, Replaces: cur.AccessKeyID, Existing: existing}); err != nil {
		// The new key is known nowhere: take it back.
		r.deleteKey(ctx, cur, next.AccessKeyID)
		return "", "", where(fmt.Errorf("storing the new key: %w (it was deleted again; %s is still in use)", err, creds.MaskKey(cur.AccessKeyID)))
	}
	r.log("waiting until %s works", creds.MaskKey(next.AccessKeyID))
	if err := r.waitWorks(ctx, next); err != nil {
		r.undo(ctx, profile, cur, next.AccessKeyID)
		return "", "", where(fmt.Errorf("%w; %s is still in use", err, creds.MaskKey(cur.AccessKeyID)))
	}
	if err := r.finish(ctx, profile, rotation{New: next, Replaces: cur.AccessKeyID}); err != nil {
		return "", "", where(err)
	}
	return cur.AccessKeyID, next.AccessKeyID, nil
}

// finish makes the verified new key the one in use, deletes the old key
// and ends the rotation.
func (r *Rotator) finish(ctx context.Context, profile string, p rotation) error {
	v := r.Vault
	if err := v.put(keyPrefix+profile, p.New); err != nil {
		return fmt.Errorf("storing the new key as the one in use: %w (run credchain keys rotate %s again to finish)", err, profile)
	}
	if err := v.dropSession(profile); err != nil {
		return err
	}
	r.log("deleting the old key %s", creds.MaskKey(p.Replaces))
	_, err := r.IAM(p.New).DeleteAccessKey(ctx, &iam.DeleteAccessKeyInput{AccessKeyId: aws.String(p.Replaces)})
	if err != nil && !isCode(err, "NoSuchEntity") {
		return fmt.Errorf("the new key %s is stored and in use, but the old key %s could not be deleted: %w (run credchain keys rotate %s again to finish)",
			creds.MaskKey(p.New.AccessKeyID), creds.MaskKey(p.Replaces), iamError("DeleteAccessKey", err), profile)
	}
	if err := v.Store.Delete(rotationPrefix + profile); err != nil {
		return fmt.Errorf("the rotation is done, but its record could not be removed: %w", err)
	}
	return nil
}

// resume finishes or undoes a rotation a failure or a crash left behind.
// done says the rotation it finished is the one asked for.
func (r *Rotator) resume(ctx context.Context, profile string, cur Key, curErr error, p rotation) (done bool, err error) {
	v := r.Vault
	where := func(err error) error {
		if err == nil {
			return nil
		}
		return fmt.Errorf("profile %q: rotate: %w", profile, err)
	}
	if p.New.AccessKeyID == "" {
		// Only the intent: the run stopped around CreateAccessKey.
		if curErr != nil {
			return false, curErr
		}
		return false, where(r.dropOrphans(ctx, profile, cur, p))
	}
	if curErr == nil && cur.AccessKeyID != p.New.AccessKeyID && cur.AccessKeyID != p.Replaces {
		// A key was stored since (keys add): the record is stale.
		return false, where(v.Store.Delete(rotationPrefix + profile))
	}
	if curErr == nil && cur.AccessKeyID == p.New.AccessKeyID {
		r.log("finishing the rotation to %s", creds.MaskKey(p.New.AccessKeyID))
		return true, where(r.finish(ctx, profile, p))
	}
	if err := r.Works(ctx, p.New); err == nil {
		r.log("finishing the rotation to %s, which works", creds.MaskKey(p.New.AccessKeyID))
		return true, where(r.finish(ctx, profile, p))
	}
	if curErr != nil {
		return false, curErr
	}
	r.log("undoing an unfinished rotation to %s, which does not work", creds.MaskKey(p.New.AccessKeyID))
	r.undo(ctx, profile, cur, p.New.AccessKeyID)
	return false, nil
}

// list returns the ids of the access keys of the user that k belongs to.
func (r *Rotator) list(ctx context.Context, k Key) ([]string, error) {
	var ids []string
	in := &iam.ListAccessKeysInput{}
	for {
		out, err := r.IAM(k).ListAccessKeys(ctx, in)
		if err != nil {
			return nil, iamError("ListAccessKeys", err)
		}
		for _, m := range out.AccessKeyMetadata {
			ids = append(ids, aws.ToString(m.AccessKeyId))
		}
		if !out.IsTruncated || out.Marker == nil {
			return ids, nil
		}
		in.Marker = out.Marker
	}
}

// dropOrphans deletes the key a run killed after CreateAccessKey left
// behind, whose secret nobody has: a key of the user that did not exist
// when the intent was recorded and has never been used (a key used since
// is someone else's, in use elsewhere: it is left, and the rotation stops
// with the reason). Then the intent is removed.
func (r *Rotator) dropOrphans(ctx context.Context, profile string, cur Key, p rotation) error {
	ids, err := r.list(ctx, cur)
	if err != nil {
		return err
	}
	before := map[string]bool{cur.AccessKeyID: true}
	for _, id := range p.Existing {
		before[id] = true
	}
	for _, id := range ids {
		if before[id] {
			continue
		}
		used, err := r.IAM(cur).GetAccessKeyLastUsed(ctx, &iam.GetAccessKeyLastUsedInput{AccessKeyId: aws.String(id)})
		if err != nil {
			return iamError("GetAccessKeyLastUsed", err)
		}
		if used.AccessKeyLastUsed != nil && used.AccessKeyLastUsed.LastUsedDate != nil {
			return fmt.Errorf("the key %s was created after an interrupted rotation but has been used since, so it is not the interrupted rotation's: leaving it; delete it yourself if it is not in use, then rotate again", creds.MaskKey(id))
		}
		r.log("deleting %s, created by an interrupted rotation and never used", creds.MaskKey(id))
		if _, err := r.IAM(cur).DeleteAccessKey(ctx, &iam.DeleteAccessKeyInput{AccessKeyId: aws.String(id)}); err != nil && !isCode(err, "NoSuchEntity") {
			return iamError("DeleteAccessKey", err)
		}
	}
	return r.Vault.Store.Delete(rotationPrefix + profile)
}

// undo deletes a new key that is not to be used and the rotation record.
func (r *Rotator) undo(ctx context.Context, profile string, cur Key, newID string) {
	r.deleteKey(ctx, cur, newID)
	if err := r.Vault.Store.Delete(rotationPrefix + profile); err != nil {
		r.log("could not remove the rotation record: %v", err)
	}
}

func (r *Rotator) deleteKey(ctx context.Context, with Key, id string) {
	if _, err := r.IAM(with).DeleteAccessKey(ctx, &iam.DeleteAccessKeyInput{AccessKeyId: aws.String(id)}); err != nil && !isCode(err, "NoSuchEntity") {
		r.log("could not delete the unused key %s: %v: delete it in the IAM console", creds.MaskKey(id), err)
	}
}

func isCode(err error, code string) bool {
	var ae smithy.APIError
	return errors.As(err, &ae) && ae.ErrorCode() == code
}

// iamError says what an IAM refusal means for the person.
func iamError(op string, err error) error {
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		return fmt.Errorf("%s: %w", op, err)
	}
	switch ae.ErrorCode() {
	case "LimitExceeded":
		return fmt.Errorf("%s: %s: %s: the user already has two access keys; delete the one not in use (IAM console, or aws iam delete-access-key) and retry", op, ae.ErrorCode(), ae.ErrorMessage())
	case "AccessDenied", "AccessDeniedException":
		return fmt.Errorf("%s: %s: %s: the key may not manage its own access keys (iam:ListAccessKeys, iam:CreateAccessKey, iam:GetAccessKeyLastUsed and iam:DeleteAccessKey on the user)", op, ae.ErrorCode(), ae.ErrorMessage())
	}
	return fmt.Errorf("%s: %s: %s", op, ae.ErrorCode(), ae.ErrorMessage())
}
