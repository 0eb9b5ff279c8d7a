-- What the OCR and format stages used and decided, for the document's
-- metadata: which OCR engine read the page ("vision", or "tesseract (vision
-- failed: …)") and the preprocessing it applied ("rotate:180",
-- "deskew:-2.25"), the LLM tokens the format stage spent, and why the content
-- guard rejected the LLM's note when it did.
ALTER TABLE uploads
    ADD COLUMN ocr_engine   TEXT,
    ADD COLUMN ocr_steps    TEXT[] NOT NULL DEFAULT '{}',
    ADD COLUMN llm_usage    JSONB,
    ADD COLUMN format_guard TEXT;
