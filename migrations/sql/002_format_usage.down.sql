ALTER TABLE uploads
    DROP COLUMN format_guard,
    DROP COLUMN llm_usage,
    DROP COLUMN ocr_steps,
    DROP COLUMN ocr_engine;
