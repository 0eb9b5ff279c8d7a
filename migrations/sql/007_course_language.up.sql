-- A course is read in its own language: Tesseract's codes joined by '+'
-- (eng, fra, deu+eng, chi_sim), or 'auto' to detect it per page. Courses
-- made before this were read with the server's OCR_LANG, 'eng' by default;
-- the API sets every new course's language explicitly.
ALTER TABLE courses ADD COLUMN language VARCHAR(64) NOT NULL DEFAULT 'eng'
    CHECK (language ~ '^(auto|[a-z]{3}(_[a-z]+)*(\+[a-z]{3}(_[a-z]+)*)*)$');
