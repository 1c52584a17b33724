"""The settings botocore reads, for the differential suite's coverage.

Prints {"env": [...], "config": [...]}: the environment variables and
config-file keys of botocore's session variables, the AWS_* variables its
credential providers, token providers and metadata fetchers read, and the
credential keys of a profile, all taken from botocore's own source so that
a setting a new botocore adds shows up as uncovered.
"""
import json
import os
import re

import botocore
import botocore.configprovider as cp

d = os.path.dirname(botocore.__file__)
env, config = set(), set()
for config_key, env_var, *_ in cp.BOTOCORE_DEFAUT_SESSION_VARIABLES.values():
    if isinstance(config_key, str):
        config.add(config_key)
    if isinstance(env_var, str):
        env.add(env_var)
    elif isinstance(env_var, (list, tuple)):
        env.update(env_var)
shape = re.compile(r"^(aws_|role_|source_|credential_|external_|mfa_|sso_|web_identity|login_|duration_)")
for name in ("credentials.py", "tokens.py", "utils.py"):
    with open(os.path.join(d, name)) as f:
        src = f.read()
    env.update(re.findall(r"['\"](AWS_[A-Z0-9_]+|BOTO_CONFIG)['\"]", src))
    if name != "utils.py":
        for k in re.findall(r"['\"]([a-z][a-z0-9_]+)['\"]", src):
            if shape.match(k):
                config.add(k)
print(json.dumps({"env": sorted(env), "config": sorted(config)}))
