"""botocore oracle for credchain's differential tests.

Reads a JSON list of scenarios on stdin and prints one JSON list of results.
Each scenario: {"id", "env": {...}, "profile": str|null,
"explicit": {"ak", "sk", "token", "account_id"}|null}. Each runs under exactly
the given environment, in a fresh boto3.Session (a second one reads the region,
so that a failed credential lookup cannot leave a half-loaded config behind). botocore fixes the SSO token cache directory
at import time: it is re-pointed at the scenario's HOME.
"""
import json
import os
import sys

import boto3
import botocore.credentials
import botocore.session
import botocore.tokens
from botocore.exceptions import BotoCoreError

# Every source is fetched, from the local test servers the scenario's
# environment names. (login needs awscrt, which is not installed: botocore
# raises MissingDependencyException for it.)
NETWORK = set()


def err(exc):
    kind = type(exc).__name__
    return {"type": kind, "botocore": isinstance(exc, BotoCoreError),
            "message": str(exc)[:500]}


# MFA prompts: botocore binds getpass.getpass as AssumeRoleProvider's
# default prompter at import; every provider built gets the scenario's
# prompter instead, which records each prompt and answers with the next code.
_PROMPTS = []
_CODES = []


def _prompter(prompt):
    _PROMPTS.append(prompt)
    if not _CODES:
        raise EOFError("no MFA code")
    return _CODES.pop(0)


_orig_init = botocore.credentials.AssumeRoleProvider.__init__


def _init(self, *args, **kwargs):
    kwargs["prompter"] = _prompter
    _orig_init(self, *args, **kwargs)


botocore.credentials.AssumeRoleProvider.__init__ = _init


def run(sc):
    global _PROMPTS
    _PROMPTS = []
    _CODES[:] = list(sc.get("mfa_codes") or [])
    os.environ.clear()
    os.environ.update(sc["env"])
    sso_dir = os.path.expanduser(os.path.join("~", ".aws", "sso", "cache"))
    botocore.credentials.SSOProvider._SSO_TOKEN_CACHE_DIR = sso_dir
    botocore.tokens.SSOTokenProvider._SSO_TOKEN_CACHE_DIR = sso_dir
    out = {"id": sc["id"], "method": None, "access_key": None,
           "secret_key": None, "token": None, "account_id": None,
           "expiry": None, "region": None, "region_error": None,
           "error": None, "prompts": _PROMPTS, "profiles": None}
    ex = sc.get("explicit") or {}
    try:
        out["profiles"] = list(botocore.session.Session().available_profiles)
    except Exception:  # noqa: BLE001
        pass

    def session():
        return boto3.Session(aws_access_key_id=ex.get("ak"),
                             aws_secret_access_key=ex.get("sk"),
                             aws_session_token=ex.get("token"),
                             aws_account_id=ex.get("account_id"),
                             profile_name=sc.get("profile"))

    try:
        out["region"] = session()._session.get_config_variable("region")
        if not isinstance(out["region"], (str, type(None))):
            # A nested block: a dict botocore fails on where it is used.
            out["region_error"] = type(out["region"]).__name__
            out["region"] = None
    except Exception as e:  # noqa: BLE001
        out["region_error"] = type(e).__name__
    try:
        bs = session()._session
        c = bs.get_credentials()
        if c is None:
            out["error"] = {"type": "NoCredentialsError", "botocore": True,
                            "message": "Unable to locate credentials"}
            return out
        out["method"] = c.method
        if c.method in NETWORK:
            return out
        f = c.get_frozen_credentials()
        out["access_key"] = f.access_key
        out["secret_key"] = f.secret_key
        out["token"] = f.token
        out["account_id"] = getattr(f, "account_id", None)
        for field in ("access_key", "secret_key", "token", "account_id"):
            if not isinstance(out[field], (str, type(None))):
                # A nested block taken as a key: a dict botocore only
                # fails on when it signs.
                out["error"] = {"type": "NestedValue", "botocore": False,
                                "message": field + " is a " + type(out[field]).__name__}
                for k in ("method", "access_key", "secret_key", "token", "account_id"):
                    out[k] = None
                return out
        exp = getattr(c, "_expiry_time", None)
        if exp is not None:
            out["expiry"] = exp.isoformat()
    except Exception as e:  # noqa: BLE001
        out["error"] = err(e)
    return out


def main():
    scenarios = json.load(sys.stdin)
    saved = dict(os.environ)
    results = []
    for sc in scenarios:
        results.append(run(sc))
    os.environ.clear()
    os.environ.update(saved)
    json.dump(results, sys.stdout)


if __name__ == "__main__":
    main()
