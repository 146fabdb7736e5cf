-- "How did it end?" prompts: the people who asked not to be asked again.
CREATE TABLE result_prompt_optouts (
    user_id     INTEGER PRIMARY KEY,
    created_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
