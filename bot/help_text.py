"""Words shown by /help and /about, kept apart from the Discord glue."""

INTRO = (
    "Dispute Desk helps freelancers answer difficult buyers: a cancellation after delivery, free extras "
    "disguised as revisions, a review threat, a chargeback, an unpaid invoice. Everything it shows you is "
    "private: your options and what each costs, the deadline that is running, the evidence to gather, "
    "and reply drafts in your tone that you edit and send yourself."
)

ABOUT_LINES = (
    "Works in servers, in DMs and as a user-installed app.",
    "Platform facts carry an 'as of' date: check the current terms before you rely on one.",
)


def format_uptime(seconds: float) -> str:
    """'3 d 4 h', '2 h 5 min', '42 s': the two largest units that matter."""
    seconds = int(seconds)
    days, rest = divmod(seconds, 86_400)
    hours, rest = divmod(rest, 3_600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{days} d {hours} h"
    if hours:
        return f"{hours} h {minutes} min"
    if minutes:
        return f"{minutes} min {secs} s"
    return f"{secs} s"


def chunk_lines(lines: list[str], limit: int) -> list[str]:
    """Join lines into as few blocks of at most ``limit`` characters as possible, never splitting one."""
    chunks: list[str] = []
    current = ""
    for line in lines:
        line = line[:limit]
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > limit:
            chunks.append(current)
            candidate = line
        current = candidate
    if current:
        chunks.append(current)
    return chunks
