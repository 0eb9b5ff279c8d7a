-- What the OCR and format stages used and decided, for the document's
-- metadata: which OCR engine read the page ("vision", or "tesseract (vision
-- failed: …)"), the LLM tokens the format stage spent, and why the content
-- guard rejected the LLM's note when it did.
ALTER TABLE uploads
    ADD COLUMN ocr_engine   TEXT,
    ADD COLUMN llm_usage    JSONB,
    ADD COLUMN format_guard TEXT;
