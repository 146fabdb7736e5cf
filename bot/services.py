"""The composition root's product: every service of the bot, built once and shared.

``DisputeBot.setup_hook`` calls :func:`build_services` before loading the cogs; each cog takes the
services it needs from ``bot.services``. No service constructs another: what one needs is passed in,
so there is one wizard (and one session cache) per bot, the only writer of its sessions.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.disputes.cases.service import CaseService
from bot.disputes.engine.flow import Flow, load_flow
from bot.disputes.wizard.service import WizardService
from bot.disputes.wizard.step import StepService
from bot.replies import LIBRARY_DIR, load_library
from bot.replies.fill import AsyncRenderer
from bot.replies.library import SHARED_VARIABLES_FILE, load_shared_variables
from bot.replies.lint_process import TemplateChecker
from bot.replies.service import QuickReplyService
from bot.storage.database import Database
from bot.storage.profiles import ProfileRepository
from bot.storage.scheduled_jobs import JobRepository


@dataclass(frozen=True)
class Services:
    flow: Flow
    profiles: ProfileRepository
    wizard: WizardService
    #: The /dispute cog's one entry point per wizard step.
    steps: StepService
    cases: CaseService
    quick_replies: QuickReplyService
    #: The admission gate of personal-template checks: its in-flight count belongs to this bot.
    checker: TemplateChecker


def build_services(db: Database, jobs: JobRepository, renderer: AsyncRenderer) -> Services:
    """Every service, once: the wizard is shared by /dispute, case history and "Draft a reply…"."""
    flow = load_flow()
    wizard = WizardService(db, flow)
    checker = TemplateChecker()
    quick_replies = QuickReplyService(
        db,
        library=load_library(),
        shared_variables=load_shared_variables(LIBRARY_DIR / SHARED_VARIABLES_FILE),
        renderer=renderer,
        flow=flow,
        wizard=wizard,
        checker=checker,
    )
    profiles = ProfileRepository(db)
    cases = CaseService(wizard, jobs)
    return Services(
        flow=flow,
        profiles=profiles,
        wizard=wizard,
        steps=StepService(wizard, cases, profiles),
        cases=cases,
        quick_replies=quick_replies,
        checker=checker,
    )
