#!/usr/bin/env bash
# Sourced library: talks to AWS (SSM Parameter Store, S3, instance metadata) with only what Flatcar ships:
# curl --aws-sigv4 for signing and jq for JSON. Secrets never appear on a command line or in a log line.
#
# Environment:
#   AWS_REGION                      region of the API calls (required)
#   AWS_ENDPOINT_URL                one endpoint for every service (tests: moto_server); default: the regional endpoints
#   AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN
#                                   static credentials (tests); default: the instance role from IMDSv2
#   IC_IMDS_URL                     instance metadata base URL; default http://169.254.169.254
#
# Return codes of ssm_* and s3_get: 0 ok, 10 the expected "absent/exists" answer (ParameterNotFound,
# ParameterAlreadyExists, NoSuchKey), 1 any other failure (logged to stderr).

# shellcheck disable=SC2034 # constants are read by the scripts that source this file
readonly AWS_API_EXPECTED=10

IC_IMDS_URL="${IC_IMDS_URL:-http://169.254.169.254}"
_aws_creds_loaded_at=0
_aws_access_key=""
_aws_secret_key=""
_aws_session_token=""

aws_log() {
  printf '%s: %s\n' "${IC_LOG_TAG:-aws-api}" "$*" >&2
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
  if [[ -n "${AWS_ENDPOINT_URL:-}" ]]; then
    url="${AWS_ENDPOINT_URL%/}/${bucket}/${key}"
  else
    url="https://${bucket}.s3.${AWS_REGION}.amazonaws.com/${key}"
  fi
  status="$(curl -sS --max-time 120 --connect-timeout 5 --retry 3 --retry-delay 1 \
    -K <(aws_curl_config) --aws-sigv4 "aws:amz:${AWS_REGION}:s3" \
    -H "x-amz-content-sha256: e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" \
    -o "${dest}.part" -w '%{http_code}' "$url")" || {
    rm -f "${dest}.part"
    aws_log "S3 GetObject s3://${bucket}/${key} failed: connection error"
    return 1
  }
  if [[ "$status" == 2?? ]]; then
    mv -f "${dest}.part" "$dest"
    return 0
  fi
  rm -f "${dest}.part"
  if [[ "$status" == 404 ]]; then
    return "$AWS_API_EXPECTED"
  fi
  aws_log "S3 GetObject s3://${bucket}/${key} failed: HTTP ${status}"
  return 1
}
