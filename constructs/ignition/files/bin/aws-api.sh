#!/usr/bin/env bash
# Sourced library: talks to AWS (S3 objects with conditional writes, SSM Parameter Store, EC2 DescribeInstances, Auto
# Scaling SetInstanceHealth, instance metadata) with only what Flatcar ships: curl --aws-sigv4 for signing, jq for JSON,
# grep and sed for the few XML answers. Secrets never appear on a command line or in a log line.
#
# Environment:
#   AWS_REGION                      region of the API calls (required)
#   AWS_ENDPOINT_URL                one endpoint for every service (tests: moto_server); default: the regional endpoints
#   AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN
#                                   static credentials (tests); default: the instance role from IMDSv2
#   IC_IMDS_URL                     instance metadata base URL; default http://169.254.169.254
#   IC_AWS_TRACE_FILE               tests: appends "<service> <action> <resource>" per call (never a value); default none
#
# Return codes of ssm_*, s3_* and ec2_instance_alive: 0 ok, 10 the expected "absent/exists/changed" answer
# (ParameterNotFound, ParameterAlreadyExists, NoSuchKey, PreconditionFailed, no such instance; for s3_get_value also
# S3's AccessDenied, its answer for a missing key to a role without s3:ListBucket), 1 any other failure (logged to stderr).

# shellcheck disable=SC2034 # constants are read by the scripts that source this file
readonly AWS_API_EXPECTED=10
# SHA-256 of an empty payload: S3 wants the payload hash in x-amz-content-sha256 of every signed request
# (https://docs.aws.amazon.com/AmazonS3/latest/API/sig-v4-header-based-auth.html).
readonly S3_EMPTY_SHA256="e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

IC_IMDS_URL="${IC_IMDS_URL:-http://169.254.169.254}"
_aws_creds_loaded_at=0
_aws_access_key=""
_aws_secret_key=""
_aws_session_token=""

aws_log() {
  printf '%s: %s\n' "${IC_LOG_TAG:-aws-api}" "$*" >&2
}

# aws_trace SERVICE ACTION RESOURCE: records which call reached AWS (tests check what a role asks for; no values).
aws_trace() {
  [[ -z "${IC_AWS_TRACE_FILE:-}" ]] || printf '%s %s %s\n' "$1" "$2" "$3" >>"$IC_AWS_TRACE_FILE"
}

# imds_token: prints a fresh IMDSv2 session token.
imds_token() {
  curl -fsS --max-time 5 --retry 5 --retry-connrefused --retry-delay 1 -X PUT \
    -H "X-aws-ec2-metadata-token-ttl-seconds: 300" "${IC_IMDS_URL}/latest/api/token"
}

# imds_get PATH: prints the metadata at /latest/PATH, e.g. `imds_get meta-data/local-hostname`.
imds_get() {
  local path="$1" token
  token="$(imds_token)" || {
    aws_log "cannot get an IMDSv2 token from ${IC_IMDS_URL}"
    return 1
  }
  curl -fsS --max-time 5 --retry 5 --retry-connrefused --retry-delay 1 \
    -H "X-aws-ec2-metadata-token: ${token}" "${IC_IMDS_URL}/latest/${path}" || {
    aws_log "cannot read instance metadata ${path}"
    return 1
  }
}

# aws_load_credentials: fills the credential variables from the environment, or from the instance role
# (refreshed every 5 minutes so a long poll outlives one set of role credentials).
aws_load_credentials() {
  if [[ -n "${AWS_ACCESS_KEY_ID:-}" && -n "${AWS_SECRET_ACCESS_KEY:-}" ]]; then
    _aws_access_key="$AWS_ACCESS_KEY_ID"
    _aws_secret_key="$AWS_SECRET_ACCESS_KEY"
    _aws_session_token="${AWS_SESSION_TOKEN:-}"
    return 0
  fi
  local now
  now="$(date +%s)"
  if ((now - _aws_creds_loaded_at < 300)) && [[ -n "$_aws_access_key" ]]; then
    return 0
  fi
  local role document
  role="$(imds_get meta-data/iam/security-credentials/)" || return 1
  role="${role%%$'\n'*}"
  if [[ -z "$role" ]]; then
    aws_log "the instance has no IAM role: attach the node instance profile"
    return 1
  fi
  document="$(imds_get "meta-data/iam/security-credentials/${role}")" || return 1
  _aws_access_key="$(jq -r '.AccessKeyId // empty' <<<"$document")"
  _aws_secret_key="$(jq -r '.SecretAccessKey // empty' <<<"$document")"
  _aws_session_token="$(jq -r '.Token // empty' <<<"$document")"
  if [[ -z "$_aws_access_key" || -z "$_aws_secret_key" ]]; then
    aws_log "the instance role ${role} returned no credentials"
    return 1
  fi
  _aws_creds_loaded_at="$now"
}

# aws_curl_config: curl config lines (read via -K from a pipe) carrying the credentials, so they never reach argv.
aws_curl_config() {
  printf 'user = "%s:%s"\n' "$_aws_access_key" "$_aws_secret_key"
  if [[ -n "$_aws_session_token" ]]; then
    printf 'header = "x-amz-security-token: %s"\n' "$_aws_session_token"
  fi
}

# aws_service_url SERVICE: the endpoint of a service.
aws_service_url() {
  if [[ -n "${AWS_ENDPOINT_URL:-}" ]]; then
    printf '%s' "${AWS_ENDPOINT_URL%/}"
  else
    printf 'https://%s.%s.amazonaws.com' "$1" "$AWS_REGION"
  fi
}

# aws_json_call SERVICE TARGET: POSTs the JSON body read from stdin to an AWS JSON 1.1 API.
# Prints the response body and returns 0 on success; on an API error prints only the error type
# (e.g. ParameterNotFound) and returns 1.
aws_json_call() {
  local service="$1" target="$2" response status body type
  aws_load_credentials || return 1
  response="$(curl -sS --max-time 30 --connect-timeout 5 --retry 3 --retry-delay 1 \
    -K <(aws_curl_config) --aws-sigv4 "aws:amz:${AWS_REGION}:${service}" \
    -H "X-Amz-Target: ${target}" -H "Content-Type: application/x-amz-json-1.1" \
    --data-binary @- -w '\n%{http_code}' "$(aws_service_url "$service")/")" || {
    printf 'ConnectionError'
    return 1
  }
  status="${response##*$'\n'}"
  body="${response%$'\n'*}"
  if [[ "$status" == 2?? ]]; then
    printf '%s' "$body"
    return 0
  fi
  type="$(jq -r '.__type // .code // "UnknownError"' <<<"$body" 2>/dev/null || printf 'HTTP%s' "$status")"
  printf '%s' "${type##*#}"
  return 1
}

# ssm_put NAME VALUE TYPE [OVERWRITE] : writes a parameter. TYPE is String or SecureString (encrypted with KMS_KEY_ID).
# OVERWRITE defaults to true; with false it is a conditional create that returns 10 when the parameter exists.
ssm_put() {
  local name="$1" value="$2" type="$3" overwrite="${4:-true}" result
  aws_trace ssm PutParameter "$name"
  if result="$(IC_NAME="$name" IC_VALUE="$value" IC_TYPE="$type" IC_OVERWRITE="$overwrite" IC_KEY="${KMS_KEY_ID:-}" \
    jq -n '{Name: env.IC_NAME, Value: env.IC_VALUE, Type: env.IC_TYPE, Overwrite: (env.IC_OVERWRITE == "true")}
      + (if env.IC_TYPE == "SecureString" and env.IC_KEY != "" then {KeyId: env.IC_KEY} else {} end)' |
    aws_json_call ssm AmazonSSM.PutParameter)"; then
    return 0
  fi
  if [[ "$result" == "ParameterAlreadyExists" && "$overwrite" == "false" ]]; then
    return "$AWS_API_EXPECTED"
  fi
  aws_log "SSM PutParameter ${name} failed: ${result}"
  return 1
}

# ssm_get NAME: prints the (decrypted) value; returns 10 when the parameter does not exist.
ssm_get() {
  local name="$1" result
  aws_trace ssm GetParameter "$name"
  if result="$(IC_NAME="$name" jq -n '{Name: env.IC_NAME, WithDecryption: true}' | aws_json_call ssm AmazonSSM.GetParameter)"; then
    jq -r '.Parameter.Value' <<<"$result"
    return 0
  fi
  if [[ "$result" == "ParameterNotFound" ]]; then
    return "$AWS_API_EXPECTED"
  fi
  aws_log "SSM GetParameter ${name} failed: ${result}"
  return 1
}

# ssm_delete NAME: deletes a parameter; returns 10 when it does not exist.
ssm_delete() {
  local name="$1" result
  aws_trace ssm DeleteParameter "$name"
  if result="$(IC_NAME="$name" jq -n '{Name: env.IC_NAME}' | aws_json_call ssm AmazonSSM.DeleteParameter)"; then
    return 0
  fi
  if [[ "$result" == "ParameterNotFound" ]]; then
    return "$AWS_API_EXPECTED"
  fi
  aws_log "SSM DeleteParameter ${name} failed: ${result}"
  return 1
}

# s3_get BUCKET KEY DEST: downloads an object to DEST (written atomically); returns 10 when the object does not exist.
s3_get() {
  local bucket="$1" key="$2" dest="$3" url status
  aws_load_credentials || return 1
  aws_trace s3 GetObject "${bucket}/${key}"
  url="$(s3_object_url "$bucket" "$key")"
  status="$(curl -sS --max-time 120 --connect-timeout 5 --retry 3 --retry-delay 1 \
    -K <(aws_curl_config) --aws-sigv4 "aws:amz:${AWS_REGION}:s3" \
    -H "x-amz-content-sha256: ${S3_EMPTY_SHA256}" \
    -D "${dest}.headers" -o "${dest}.part" -w '%{http_code}' "$url")" || {
    rm -f "${dest}.part"
    aws_log "S3 GetObject s3://${bucket}/${key} failed: connection error"
    return 1
  }
  if [[ "$status" == 2?? ]]; then
    mv -f "${dest}.part" "$dest"
    return 0
  fi
  rm -f "${dest}.part" "${dest}.headers"
  if [[ "$status" == 404 ]]; then
    return "$AWS_API_EXPECTED"
  fi
  aws_log "S3 GetObject s3://${bucket}/${key} failed: HTTP ${status}"
  return 1
}

# s3_object_url BUCKET [KEY]: virtual-hosted URL on AWS, path-style on AWS_ENDPOINT_URL.
s3_object_url() {
  if [[ -n "${AWS_ENDPOINT_URL:-}" ]]; then
    printf '%s/%s/%s' "${AWS_ENDPOINT_URL%/}" "$1" "${2:-}"
  else
    printf 'https://%s.s3.%s.amazonaws.com/%s' "$1" "$AWS_REGION" "${2:-}"
  fi
}

# s3_etag_of DEST: the ETag (with its quotes) of the object s3_get last wrote to DEST.
s3_etag_of() {
  sed -n 's/^[Ee][Tt][Aa][Gg]: *\("[^"]*"\).*/\1/p' "${1}.headers" | head -n 1
}

# s3_put BUCKET KEY FILE [CONDITION]: uploads FILE (not a secret: S3 state objects only). CONDITION is "create"
# (If-None-Match: *, fails when the key exists) or an ETag (If-Match: <etag>, fails when the object changed since): S3
# conditional writes (https://docs.aws.amazon.com/AmazonS3/latest/userguide/conditional-writes.html) answer 412
# PreconditionFailed, or 409 ConditionalRequestConflict for a concurrent conditional write; both return 10.
s3_put() {
  local bucket="$1" key="$2" file="$3" condition="${4:-}" status sha args=()
  aws_load_credentials || return 1
  aws_trace s3 PutObject "${bucket}/${key}"
  sha="$(sha256sum "$file")"
  if [[ "$condition" == create ]]; then
    args=(-H "If-None-Match: *")
  elif [[ -n "$condition" ]]; then
    args=(-H "If-Match: ${condition}")
  fi
  status="$(curl -sS --max-time 30 --connect-timeout 5 --retry 3 --retry-delay 1 \
    -K <(aws_curl_config) --aws-sigv4 "aws:amz:${AWS_REGION}:s3" -X PUT "${args[@]}" \
    -H "x-amz-content-sha256: ${sha%% *}" -H "Content-Type: application/json" \
    --data-binary "@${file}" -o /dev/null -w '%{http_code}' "$(s3_object_url "$bucket" "$key")")" || {
    aws_log "S3 PutObject s3://${bucket}/${key} failed: connection error"
    return 1
  }
  [[ "$status" == 2?? ]] && return 0
  [[ "$status" == 412 || "$status" == 409 ]] && return "$AWS_API_EXPECTED"
  aws_log "S3 PutObject s3://${bucket}/${key} failed: HTTP ${status}"
  return 1
}

# s3_put_value BUCKET KEY VALUE [CONDITION]: stores VALUE (a secret may be one: it goes to curl on stdin, never on a
# command line) as the object KEY, with the same CONDITION and return codes as s3_put. No encryption header: the object
# takes the bucket's default encryption ("Amazon S3 automatically encrypts all new objects ... with the bucket's default
# encryption" when the request names none: https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucket-encryption.html);
# the node bucket's default is SSE-KMS with the generation key and an S3 Bucket Key (constructs/cluster/node-config-bucket.ts).
s3_put_value() {
  local bucket="$1" key="$2" value="$3" condition="${4:-}" status sha args=()
  aws_load_credentials || return 1
  aws_trace s3 PutObject "${bucket}/${key}"
  sha="$(printf '%s' "$value" | sha256sum)"
  if [[ "$condition" == create ]]; then
    args=(-H "If-None-Match: *")
  elif [[ -n "$condition" ]]; then
    args=(-H "If-Match: ${condition}")
  fi
  status="$(printf '%s' "$value" | curl -sS --max-time 30 --connect-timeout 5 --retry 3 --retry-delay 1 \
    -K <(aws_curl_config) --aws-sigv4 "aws:amz:${AWS_REGION}:s3" -X PUT "${args[@]}" \
    -H "x-amz-content-sha256: ${sha%% *}" -H "Content-Type: text/plain" \
    --data-binary @- -o /dev/null -w '%{http_code}' "$(s3_object_url "$bucket" "$key")")" || {
    aws_log "S3 PutObject s3://${bucket}/${key} failed: connection error"
    return 1
  }
  [[ "$status" == 2?? ]] && return 0
  [[ "$status" == 412 || "$status" == 409 ]] && return "$AWS_API_EXPECTED"
  aws_log "S3 PutObject s3://${bucket}/${key} failed: HTTP ${status}"
  return 1
}

# s3_get_value BUCKET KEY: prints the object's content (one value, e.g. a token; never logged); returns 10 when it is not
# there: 404 NoSuchKey, or 403 AccessDenied, which is what S3 answers for a missing key to a caller without
# s3:ListBucket on the bucket ("If you don't have the s3:ListBucket permission, Amazon S3 returns an HTTP status code
# 403 Access Denied error": https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObject.html, Permissions). Nodes have
# no such right on these keys, so a denied read and an absent object look alike; callers wait (bounded) on either. Any
# other answer (ExpiredToken, SignatureDoesNotMatch, 5xx, no connection) returns 1.
s3_get_value() {
  local bucket="$1" key="$2" response status body code
  aws_load_credentials || return 1
  aws_trace s3 GetObject "${bucket}/${key}"
  response="$(curl -sS --max-time 30 --connect-timeout 5 --retry 3 --retry-delay 1 \
    -K <(aws_curl_config) --aws-sigv4 "aws:amz:${AWS_REGION}:s3" \
    -H "x-amz-content-sha256: ${S3_EMPTY_SHA256}" -w '\n%{http_code}' "$(s3_object_url "$bucket" "$key")")" || {
    aws_log "S3 GetObject s3://${bucket}/${key} failed: connection error"
    return 1
  }
  status="${response##*$'\n'}"
  body="${response%$'\n'*}"
  if [[ "$status" == 2?? ]]; then
    printf '%s' "$body"
    return 0
  fi
  code="$(grep -o '<Code>[^<]*</Code>' <<<"$body" | head -n 1 | sed 's/<Code>\(.*\)<\/Code>/\1/' || true)"
  if [[ "$status" == 404 || ("$status" == 403 && "$code" == AccessDenied) ]]; then
    return "$AWS_API_EXPECTED"
  fi
  aws_log "S3 GetObject s3://${bucket}/${key} failed: HTTP ${status} ${code}"
  return 1
}

# s3_delete BUCKET KEY: deletes an object (S3 answers 204 whether or not it existed).
s3_delete() {
  local bucket="$1" key="$2" status
  aws_load_credentials || return 1
  aws_trace s3 DeleteObject "${bucket}/${key}"
  status="$(curl -sS --max-time 30 --connect-timeout 5 --retry 3 --retry-delay 1 \
    -K <(aws_curl_config) --aws-sigv4 "aws:amz:${AWS_REGION}:s3" -X DELETE \
    -H "x-amz-content-sha256: ${S3_EMPTY_SHA256}" -o /dev/null -w '%{http_code}' \
    "$(s3_object_url "$bucket" "$key")")" || {
    aws_log "S3 DeleteObject s3://${bucket}/${key} failed: connection error"
    return 1
  }
  [[ "$status" == 2?? ]] && return 0
  aws_log "S3 DeleteObject s3://${bucket}/${key} failed: HTTP ${status}"
  return 1
}

# s3_list BUCKET PREFIX: prints the keys under PREFIX, one a line (ListObjectsV2, first 1000 keys: enough for the
# handful of state objects a generation has).
s3_list() {
  local bucket="$1" prefix="$2" response status
  aws_load_credentials || return 1
  aws_trace s3 ListBucket "${bucket}/${prefix}"
  response="$(curl -sS --max-time 30 --connect-timeout 5 --retry 3 --retry-delay 1 -G \
    -K <(aws_curl_config) --aws-sigv4 "aws:amz:${AWS_REGION}:s3" \
    -H "x-amz-content-sha256: ${S3_EMPTY_SHA256}" --data-urlencode "list-type=2" --data-urlencode "prefix=${prefix}" \
    -w '\n%{http_code}' "$(s3_object_url "$bucket")")" || {
    aws_log "S3 ListObjectsV2 s3://${bucket}/${prefix} failed: connection error"
    return 1
  }
  status="${response##*$'\n'}"
  if [[ "$status" != 2?? ]]; then
    aws_log "S3 ListObjectsV2 s3://${bucket}/${prefix} failed: HTTP ${status}"
    return 1
  fi
  grep -o '<Key>[^<]*</Key>' <<<"${response%$'\n'*}" | sed 's/<Key>\(.*\)<\/Key>/\1/' || true
}

# aws_query_call SERVICE VERSION NAME=VALUE...: POSTs an AWS Query API request (EC2, Auto Scaling), form-encoded from
# stdin. Prints the XML answer and returns 0 on success; on an API error prints only its Code and returns 1.
aws_query_call() {
  local service="$1" version="$2" response status body code pair form=""
  shift 2
  aws_load_credentials || return 1
  for pair in "$@"; do
    form+="&$(jq -rn --arg k "${pair%%=*}" --arg v "${pair#*=}" '"\($k|@uri)=\($v|@uri)"')"
  done
  response="$(printf 'Version=%s%s' "$version" "$form" | curl -sS --max-time 30 --connect-timeout 5 --retry 3 \
    --retry-delay 1 -K <(aws_curl_config) --aws-sigv4 "aws:amz:${AWS_REGION}:${service}" \
    -H "Content-Type: application/x-www-form-urlencoded; charset=utf-8" --data-binary @- \
    -w '\n%{http_code}' "$(aws_service_url "$service")/")" || {
    printf 'ConnectionError'
    return 1
  }
  status="${response##*$'\n'}"
  body="${response%$'\n'*}"
  if [[ "$status" == 2?? ]]; then
    printf '%s' "$body"
    return 0
  fi
  code="$(grep -o '<Code>[^<]*</Code>' <<<"$body" | head -n 1 | sed 's/<Code>\(.*\)<\/Code>/\1/')"
  printf '%s' "${code:-HTTP${status}}"
  return 1
}

# ec2_instance_alive FILTER VALUE: 0 when an instance matching the EC2 filter (instance-id or private-dns-name) exists
# and is pending, running, stopping or stopped; 10 when none does (never launched, terminated or shutting down); 1 when
# EC2 could not be asked (callers then treat the instance as alive: never remove or take over on an API error).
# DescribeInstances: https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeInstances.html
ec2_instance_alive() {
  local filter="$1" value="$2" result
  aws_trace ec2 DescribeInstances "${filter}=${value}"
  result="$(aws_query_call ec2 2016-11-15 Action=DescribeInstances "Filter.1.Name=${filter}" "Filter.1.Value.1=${value}")" || {
    aws_log "EC2 DescribeInstances ${filter}=${value} failed: ${result}"
    return 1
  }
  if tr -d ' \t\r\n' <<<"$result" | grep -o '<instanceState><code>[0-9]*</code><name>[a-z-]*</name>' |
    grep -qE '<name>(pending|running|stopping|stopped)</name>'; then
    return 0
  fi
  return "$AWS_API_EXPECTED"
}

# asg_set_unhealthy INSTANCE_ID: tells Auto Scaling this instance is unhealthy now (no grace period), so its group
# replaces it. SetInstanceHealth: https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_SetInstanceHealth.html
asg_set_unhealthy() {
  local instance_id="$1" result
  aws_trace autoscaling SetInstanceHealth "$instance_id"
  result="$(aws_query_call autoscaling 2011-01-01 Action=SetInstanceHealth "InstanceId=${instance_id}" \
    HealthStatus=Unhealthy ShouldRespectGracePeriod=false)" || {
    aws_log "Auto Scaling SetInstanceHealth ${instance_id} failed: ${result}"
    return 1
  }
}

# s3_put_file BUCKET KEY FILE CONTENT_TYPE: uploads a large FILE (an etcd snapshot) with one PutObject, which takes up
# to 5 GiB (https://docs.aws.amazon.com/AmazonS3/latest/userguide/upload-objects.html; etcd's default 2 GiB backend
# quota, https://etcd.io/docs/v3.5/dev-guide/limit/, keeps a snapshot below it), its SHA-256 as the payload hash; the
# bucket's default encryption applies. Up to 30 min, no retry (the next timer run uploads again).
s3_put_file() {
  local bucket="$1" key="$2" file="$3" type="$4" status sha
  aws_load_credentials || return 1
  aws_trace s3 PutObject "${bucket}/${key}"
  sha="$(sha256sum "$file")"
  status="$(curl -sS --max-time 1800 --connect-timeout 5 -K <(aws_curl_config) --aws-sigv4 "aws:amz:${AWS_REGION}:s3" \
    -X PUT -H "x-amz-content-sha256: ${sha%% *}" -H "Content-Type: ${type}" --upload-file "$file" \
    -o /dev/null -w '%{http_code}' "$(s3_object_url "$bucket" "$key")")" || {
    aws_log "S3 PutObject s3://${bucket}/${key} failed: connection error"
    return 1
  }
  [[ "$status" == 2?? ]] && return 0
  aws_log "S3 PutObject s3://${bucket}/${key} failed: HTTP ${status}"
  return 1
}
