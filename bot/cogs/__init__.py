"""One cog per feature: asking (members) and corpus moderation (moderators)."""
