"""Cases that follow the seller: deadline reminders and /dispute cases (history and results)."""
