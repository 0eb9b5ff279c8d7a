-- A page of an upload may be a PDF (a scanner app's file, of one or more
-- pages). The API checks a PDF's structure but renders nothing, so it knows
-- no pixel size: a PDF row has width and height 0; an image row keeps them
-- positive.
ALTER TABLE uploads DROP CONSTRAINT uploads_image_width_check,
    DROP CONSTRAINT uploads_image_height_check,
    ADD CONSTRAINT uploads_image_width_check CHECK (image_width > 0 OR content_type = 'application/pdf'),
    ADD CONSTRAINT uploads_image_height_check CHECK (image_height > 0 OR content_type = 'application/pdf');
ALTER TABLE upload_pages DROP CONSTRAINT upload_pages_image_width_check,
    DROP CONSTRAINT upload_pages_image_height_check,
    ADD CONSTRAINT upload_pages_image_width_check CHECK (image_width > 0 OR content_type = 'application/pdf'),
    ADD CONSTRAINT upload_pages_image_height_check CHECK (image_height > 0 OR content_type = 'application/pdf');
