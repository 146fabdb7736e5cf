-- PostgreSQL half of 0009 (see ../0009_result_prompts.sql).
CREATE TABLE result_prompt_optouts (
    user_id     BIGINT PRIMARY KEY,
    created_at  TEXT NOT NULL DEFAULT to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')
);
