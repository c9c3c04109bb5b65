#!/usr/bin/env python3
"""Creates an IAM user with full S3 access, its access key and a bucket on a plain moto_server
whose auth is still off; prints "ACCESS_KEY SECRET_KEY".  usage: moto_setup.py URL BUCKET REGION"""
import json, sys
import boto3

url, bucket, region = sys.argv[1:4]
session = dict(endpoint_url=url, region_name=region, aws_access_key_id="setup", aws_secret_access_key="setup")
iam = boto3.client("iam", **session)
iam.create_user(UserName="uploader")
iam.put_user_policy(UserName="uploader", PolicyName="s3all", PolicyDocument=json.dumps(
    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["s3:*"], "Resource": "*"}]}))
key = iam.create_access_key(UserName="uploader")["AccessKey"]
boto3.client("s3", **session).create_bucket(Bucket=bucket)
print(key["AccessKeyId"], key["SecretAccessKey"])
