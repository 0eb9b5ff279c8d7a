-- PDF rows have no pixel size; 1×1 marks them as unknown so that the
-- older checks hold again without losing any upload.
UPDATE uploads SET image_width = greatest(image_width, 1), image_height = greatest(image_height, 1);
UPDATE upload_pages SET image_width = greatest(image_width, 1), image_height = greatest(image_height, 1);
ALTER TABLE uploads DROP CONSTRAINT uploads_image_width_check,
    DROP CONSTRAINT uploads_image_height_check,
    ADD CONSTRAINT uploads_image_width_check CHECK (image_width > 0),
    ADD CONSTRAINT uploads_image_height_check CHECK (image_height > 0);
ALTER TABLE upload_pages DROP CONSTRAINT upload_pages_image_width_check,
    DROP CONSTRAINT upload_pages_image_height_check,
    ADD CONSTRAINT upload_pages_image_width_check CHECK (image_width > 0),
    ADD CONSTRAINT upload_pages_image_height_check CHECK (image_height > 0);
