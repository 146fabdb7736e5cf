"""The seller profile: what /reply and /dispute fill in without asking."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields

from bot.storage.database import NOW_SQL, Database

PROFILE_FIELDS = (
    "display_name",
    "sign_off",
    "default_platform",
    "currency",
    "revision_price",
    "hourly_rate",
    "default_tone",
)


@dataclass(frozen=True)
class Profile:
    user_id: int
    display_name: str | None = None
    sign_off: str | None = None
    default_platform: str | None = None
    currency: str | None = None
    revision_price: str | None = None
    hourly_rate: str | None = None
    default_tone: str | None = None

    def known_values(self) -> dict[str, str]:
        """The fields that are set, keyed by name (for filling template variables)."""
        return {f.name: value for f in fields(self) if f.name != "user_id" and (value := getattr(self, f.name))}


class ProfileRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def get(self, user_id: int) -> Profile:
        """The user's profile; an empty one when they never set anything."""
        row = await self._db.fetch_one(
            f"SELECT user_id, {', '.join(PROFILE_FIELDS)} FROM profiles WHERE user_id = ?",
            (user_id,),
        )
        if row is None:
            return Profile(user_id)
        return Profile(**{key: row[key] for key in row.keys()})  # noqa: SIM118 - a database row, not a dict

    async def update(self, user_id: int, **changes: str | None) -> Profile:
        """Set the given fields (None or '' clears one); the others keep their value."""
        unknown = set(changes) - set(PROFILE_FIELDS)
        if unknown:
            raise ValueError(f"unknown profile fields: {sorted(unknown)}")
        current = asdict(await self.get(user_id))
        profile = Profile(**{**current, **{k: (v or None) for k, v in changes.items()}})
        values = [getattr(profile, name) for name in PROFILE_FIELDS]
        placeholders = ", ".join("?" for _ in PROFILE_FIELDS)
        assignments = ", ".join(f"{name} = excluded.{name}" for name in PROFILE_FIELDS)
        await self._db.execute(
            f"INSERT INTO profiles (user_id, {', '.join(PROFILE_FIELDS)}) VALUES (?, {placeholders}) "
            f"ON CONFLICT (user_id) DO UPDATE SET {assignments}, updated_at = {NOW_SQL}",
            (user_id, *values),
        )
        return profile
