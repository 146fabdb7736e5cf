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
from bot.disputes.wizard.share import ShareService
from bot.disputes.wizard.step import StepService
from bot.replies import LIBRARY_DIR, load_library
from bot.replies.authoring import AuthoringService
from bot.replies.catalog import TemplateCatalog
from bot.replies.fill import AsyncRenderer
from bot.replies.filling import FillService
from bot.replies.library import SHARED_VARIABLES_FILE, load_shared_variables
from bot.replies.lint_process import TemplateChecker
from bot.replies.server_library import ServerLibrary
from bot.replies.service import ReplyDrafts, ReplyRenderer
from bot.replies.suggestions import SuggestionService
from bot.storage.cooldowns import CooldownRepository
from bot.storage.database import Database
from bot.storage.profiles import ProfileRepository
from bot.storage.reply_drafts import ReplyDraftRepository
from bot.storage.reply_templates import ReplyTemplateRepository
from bot.storage.scheduled_jobs import JobRepository
from bot.storage.server_settings import ServerSettingsRepository


@dataclass(frozen=True)
class Services:
    flow: Flow
    profiles: ProfileRepository
    wizard: WizardService
    #: The /dispute cog's one entry point per wizard step.
    steps: StepService
    cases: CaseService
    #: Share for feedback: preview, edit, post.
    share: ShareService
    #: Quick replies, one job each: finding templates, /reply, "Draft a reply…", /templates mine.
    catalog: TemplateCatalog
    filling: FillService
    suggestions: SuggestionService
    authoring: AuthoringService
    reply_drafts: ReplyDrafts
    renders: ReplyRenderer
    #: The admission gate of personal-template checks: its in-flight count belongs to this bot.
    checker: TemplateChecker
    server_library: ServerLibrary


def build_services(db: Database, jobs: JobRepository, renderer: AsyncRenderer) -> Services:
    """Every service, once: the wizard is shared by /dispute, case history and "Draft a reply…"."""
    flow = load_flow()
    wizard = WizardService(db, flow)
    checker = TemplateChecker()
    profiles = ProfileRepository(db)
    server_settings = ServerSettingsRepository(db)
    limits = CooldownRepository(db)
    cases = CaseService(wizard, jobs)
    catalog = TemplateCatalog(ReplyTemplateRepository(db), profiles, server_settings, load_library())
    reply_drafts = ReplyDrafts(ReplyDraftRepository(db))
    renders = ReplyRenderer(profiles, server_settings, renderer)
    filling = FillService(catalog, reply_drafts, renders)
    suggestions = SuggestionService(catalog, reply_drafts, filling, wizard, flow, limits)
    shared_variables = load_shared_variables(LIBRARY_DIR / SHARED_VARIABLES_FILE)
    return Services(
        flow=flow,
        profiles=profiles,
        wizard=wizard,
        steps=StepService(wizard, cases, profiles, limits),
        cases=cases,
        share=ShareService(wizard, profiles),
        catalog=catalog,
        filling=filling,
        suggestions=suggestions,
        authoring=AuthoringService(catalog, reply_drafts, renders, profiles, checker, shared_variables),
        reply_drafts=reply_drafts,
        renders=renders,
        checker=checker,
        server_library=ServerLibrary(db, shared_variables, checker=checker, renderer=renderer),
    )
