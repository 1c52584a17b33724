"""Sets up moto for credchain's integration tests and prints what it made.

Usage: setup.py ENDPOINT. Makes exactly SETUP_REQUESTS requests (the count
INITIAL_NO_AUTH_ACTION_COUNT must equal): a user allowed only to assume
roles, a chain of three roles, a role whose trust policy requires an
ExternalId, an EC2 instance and a DynamoDB table; a user bob who manages
his own keys and assumes three roles whose trust requires MFA.
"""
import json
import sys

import boto3

endpoint = sys.argv[1]
kw = dict(endpoint_url=endpoint, region_name="us-east-1",
          aws_access_key_id="setup", aws_secret_access_key="setup")
iam = boto3.client("iam", **kw)
ec2 = boto3.client("ec2", **kw)
ddb = boto3.client("dynamodb", **kw)
ACCOUNT = "123456789012"


def trust(principal, condition=None):
    st = {"Effect": "Allow", "Principal": {"AWS": principal}, "Action": "sts:AssumeRole"}
    if condition:
        st["Condition"] = condition
    return json.dumps({"Version": "2012-10-17", "Statement": [st]})


def allow(actions, resource="*"):
    return json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": actions, "Resource": resource}]})


user = iam.create_user(UserName="alice")["User"]                          # 1
key = iam.create_access_key(UserName="alice")["AccessKey"]                # 2
roles = {}
for name, principal, extra in [
    ("Ops", user["Arn"], None),                                           # 3
    ("Second", f"arn:aws:sts::{ACCOUNT}:assumed-role/Ops/chain", None),   # 4
    ("Third", f"arn:aws:sts::{ACCOUNT}:assumed-role/Second/chain", None), # 5
    ("Partner", user["Arn"], {"StringEquals": {"sts:ExternalId": "the-right-id"}}),  # 6
]:
    roles[name] = iam.create_role(RoleName=name, AssumeRolePolicyDocument=trust(principal, extra))["Role"]["Arn"]
iam.put_user_policy(UserName="alice", PolicyName="assume-only",                # 7
                    PolicyDocument=allow("sts:AssumeRole", [roles["Ops"], roles["Partner"]]))
for name in roles:                                                       # 8-11
    iam.put_role_policy(RoleName=name, PolicyName="work",
                        PolicyDocument=allow(["ec2:Describe*", "dynamodb:ListTables", "sts:AssumeRole", "sts:GetCallerIdentity", "ecr:GetAuthorizationToken"]))
image = ec2.describe_images()["Images"][0]["ImageId"]                     # 12
inst = ec2.run_instances(ImageId=image, MinCount=1, MaxCount=1)["Instances"][0]["InstanceId"]  # 13
ddb.create_table(TableName="orders", KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],   # 14
                 AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                 BillingMode="PAY_PER_REQUEST")
# bob keeps his key in credchain's store: he may manage his own access keys,
# get an MFA session and assume three roles that require MFA.
bob = iam.create_user(UserName="bob")["User"]                              # 15
bob_key = iam.create_access_key(UserName="bob")["AccessKey"]               # 16
mfa_roles = {}
for name in ["MfaA", "MfaB", "MfaC"]:                                      # 17-19
    mfa_roles[name] = iam.create_role(RoleName=name, AssumeRolePolicyDocument=trust(
        bob["Arn"], {"Bool": {"aws:MultiFactorAuthPresent": "true"}}))["Role"]["Arn"]
iam.put_user_policy(UserName="bob", PolicyName="keys-and-roles",         # 20
                    PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [
                        {"Effect": "Allow", "Action": ["iam:CreateAccessKey", "iam:DeleteAccessKey", "iam:ListAccessKeys",
                                    "iam:GetAccessKeyLastUsed"],
                         "Resource": "*"},
                        {"Effect": "Allow", "Action": ["sts:GetSessionToken", "sts:GetCallerIdentity"], "Resource": "*"},
                        {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": list(mfa_roles.values())}]}))
roles.update(mfa_roles)
json.dump({"access_key_id": key["AccessKeyId"], "secret_access_key": key["SecretAccessKey"],
           "bob_key_id": bob_key["AccessKeyId"], "bob_secret": bob_key["SecretAccessKey"],
           "user_arn": user["Arn"], "roles": roles, "instance": inst}, sys.stdout)
