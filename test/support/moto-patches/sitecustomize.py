# Test support: loaded by moto_server's Python through PYTHONPATH (see moto.ts). Each section makes moto 5.2.1 behave
# as AWS does in one respect our stacks depend on; each prints "moto-patches: ... not patched" if it cannot apply, and
# moto.ts refuses to start without "moto-patches: loaded" (printed last).
#
# moto evaluates S3 bucket policies but ignores their Condition blocks, so a conditional Deny (our TLS-only "aws:SecureTransport": "false" statement) denies
# every object request. Here statements with a Condition are left out of moto's evaluation: the emulator behaves as if
# the conditions did not match, i.e. as if requests came over TLS, as they do against AWS.
import json

try:
    from moto.s3 import models as _s3_models

    _original_get_permission = _s3_models.FakeBucket.get_permission

    def _get_permission_without_conditions(self, action, resource):
        if self.policy is None:
            return _original_get_permission(self, action, resource)
        policy = json.loads(self.policy.decode() if isinstance(self.policy, bytes) else self.policy)
        statements = policy.get("Statement", [])
        statements = statements if isinstance(statements, list) else [statements]
        kept = [s for s in statements if "Condition" not in s]
        if len(kept) == len(statements):
            return _original_get_permission(self, action, resource)
        from moto.iam.access_control import IAMPolicy, PermissionResult

        if not kept:
            return PermissionResult.NEUTRAL
        return IAMPolicy(json.dumps({**policy, "Statement": kept})).is_action_permitted(action, resource)

    _s3_models.FakeBucket.get_permission = _get_permission_without_conditions
except Exception as error:  # never break unrelated Python processes that happen to see this folder
    import sys

    print(f"moto-patches: S3 bucket policy conditions not patched: {error}", file=sys.stderr)

# moto's Route53 drops a CLOUDWATCH_METRIC health check's AlarmIdentifier and InsufficientDataHealthStatus and reports
# HTTP-check defaults (port 80, 30 s interval) for it, so the AWS provider plans a replacement after every apply. Here
# the two fields are kept and the HTTP-only fields are left out for that type, as Route53 does.
try:
    from moto.core.responses import ActionResult
    from moto.route53 import models as _r53_models
    from moto.route53 import responses as _r53_responses

    _original_init = _r53_models.HealthCheck.__init__
    _original_config = _r53_models.HealthCheck.health_check_config.fget

    def _init(self, health_check_id, caller_reference, health_check_args):
        _original_init(self, health_check_id, caller_reference, health_check_args)
        self.alarm_identifier = health_check_args.get("alarm_identifier")
        self.insufficient_data_health_status = health_check_args.get("insufficient_data_health_status")

    def _config(self):
        config = _original_config(self)
        if self.type_ == "CLOUDWATCH_METRIC":
            for key in ("IPAddress", "Port", "RequestInterval", "FailureThreshold", "MeasureLatency", "ResourcePath",
                        "FullyQualifiedDomainName", "SearchString", "EnableSNI"):
                config.pop(key, None)
            config["AlarmIdentifier"] = getattr(self, "alarm_identifier", None)
            config["InsufficientDataHealthStatus"] = getattr(self, "insufficient_data_health_status", None)
        return config

    def _create_health_check(self):
        caller_reference = self._get_param("CallerReference")
        config = self._get_param("HealthCheckConfig")
        args = {
            "ip_address": config.get("IPAddress"),
            "port": config.get("Port"),
            "type": config["Type"],
            "resource_path": config.get("ResourcePath"),
            "fqdn": config.get("FullyQualifiedDomainName"),
            "search_string": config.get("SearchString"),
            "request_interval": config.get("RequestInterval"),
            "failure_threshold": config.get("FailureThreshold"),
            "health_threshold": config.get("HealthThreshold"),
            "measure_latency": config.get("MeasureLatency"),
            "inverted": config.get("Inverted"),
            "disabled": config.get("Disabled"),
            "enable_sni": config.get("EnableSNI"),
            "children": config.get("ChildHealthChecks", []),
            "regions": config.get("Regions", []),
            "alarm_identifier": config.get("AlarmIdentifier"),
            "insufficient_data_health_status": config.get("InsufficientDataHealthStatus"),
        }
        return ActionResult({"HealthCheck": self.backend.create_health_check(caller_reference, args)})

    _r53_models.HealthCheck.__init__ = _init
    _r53_models.HealthCheck.health_check_config = property(_config)
    _r53_responses.Route53.create_health_check = _create_health_check
except Exception as error:
    import sys

    print(f"moto-patches: Route53 health checks not patched: {error}", file=sys.stderr)

# moto's DescribeSecurityGroupRules reports a rule's description only for CIDR rules (SecurityGroupRule.description
# reads ip_range alone), so a rule that references a security group reads back without the description it was created
# with and the AWS provider plans to set it again after every apply. Here the referenced group's description is used.
try:
    from moto.ec2.models import security_groups as _sg_models

    def _rule_description(self):
        return self.ip_range.get("Description") or (self.source_group or {}).get("Description")

    _sg_models.SecurityGroupRule.description = property(_rule_description)
except Exception as error:
    import sys

    print(f"moto-patches: security group rule descriptions not patched: {error}", file=sys.stderr)

# moto's CreateLaunchTemplate copies the request's "launch-template" tag specification (the tags of the template
# itself) into the template data, so DescribeLaunchTemplateVersions returns a tag_specifications block for resource
# type launch-template that AWS never puts there (AWS rejects it in launch template data), and the AWS provider plans
# a new version after every apply. Here that entry is left out of the data; the template keeps its tags.
try:
    from moto.ec2.models import launch_templates as _lt_models

    _original_create_launch_template = _lt_models.LaunchTemplateBackend.create_launch_template

    def _create_launch_template(self, name, description, template_data, tag_spec):
        specs = template_data.get("TagSpecifications")
        if specs:
            kept = [s for s in specs if s.get("ResourceType") != "launch-template"]
            if kept:
                template_data["TagSpecifications"] = kept
            else:
                del template_data["TagSpecifications"]
        return _original_create_launch_template(self, name, description, template_data, tag_spec)

    _lt_models.LaunchTemplateBackend.create_launch_template = _create_launch_template
except Exception as error:
    import sys

    print(f"moto-patches: launch template tag specifications not patched: {error}", file=sys.stderr)

# A CI run's `terraform destroy` failed on moto with "InvalidPermission.NotFound" deleting a security group rule that
# the plan just before had read back. Two differences from AWS can produce that; both are corrected here:
# (1) moto answers a revoke by an unknown rule id with "InvalidPermission.NotFound", where AWS answers
#     "InvalidSecurityGroupRuleId.NotFound", the code the AWS provider reads as "already deleted" (so a delete that the
#     SDK retried after its first try went through succeeds, as it does against AWS);
# (2) moto's authorize and revoke rewrite a group's rule list without a lock (revoke assigns a filtered copy) while
#     terraform sends up to 20 requests at once, so calls on one group can in principle lose or resurrect each other's
#     rules. The four calls take one lock here.
try:
    import threading

    from moto.ec2.exceptions import InvalidSecurityGroupRuleIdNotFoundError
    from moto.ec2.models.security_groups import SecurityGroupBackend

    _security_group_lock = threading.RLock()

    def _serialized(name, rules_attribute=None):
        original = getattr(SecurityGroupBackend, name)

        def call(self, **kwargs):
            with _security_group_lock:
                rule_ids = kwargs.get("security_rule_ids") or []
                if rules_attribute and rule_ids:
                    group = self.get_security_group_by_name_or_id(kwargs.get("group_name_or_id"), kwargs.get("vpc_id"))
                    if group is not None:
                        known = {rule.id for rule in getattr(group, rules_attribute)}
                        for rule_id in rule_ids:
                            if rule_id not in known:
                                raise InvalidSecurityGroupRuleIdNotFoundError(rule_id)
                return original(self, **kwargs)

        setattr(SecurityGroupBackend, name, call)

    _serialized("authorize_security_group_ingress")
    _serialized("authorize_security_group_egress")
    _serialized("revoke_security_group_ingress", "ingress_rules")
    _serialized("revoke_security_group_egress", "egress_rules")
except Exception as error:
    import sys

    print(f"moto-patches: security group rule revocation not patched: {error}", file=sys.stderr)

import sys as _sys

print("moto-patches: loaded", file=_sys.stderr)
