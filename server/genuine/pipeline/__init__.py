"""The audit pipeline's one door: what api, web and directory may ask of it.

- `can_audit(config, platform)`: whether this server can audit the platform live, and why not
  (a `Verdict`; `auditable(config)` lists the platforms it says yes to);
- `request(platform, handle, ...)`: create or share an account's audit and queue it, at once
  or once a session's transaction commits;
- `after_audit(hook)`: call `hook(engine, config, audited)` after each finished audit (the
  directory registers its hooks from create_app, so the pipeline never imports it);
- `get_audit(engine, audit_id)` and `queue_problem(app)`: an audit's row, the queue's health.

Behind the door: `audits` (run one audit), `queue` (huey tasks and schedule), `platforms`.
Only the CLI and the worker reach behind it.
"""

from __future__ import annotations

from genuine.pipeline.audits import AfterAudit, Audited, after_audit
from genuine.pipeline.audits import get as get_audit
from genuine.pipeline.platforms import Verdict, auditable, can_audit
from genuine.pipeline.queue import queue_problem, request

__all__ = [
    "AfterAudit",
    "Audited",
    "Verdict",
    "after_audit",
    "auditable",
    "can_audit",
    "get_audit",
    "queue_problem",
    "request",
]
