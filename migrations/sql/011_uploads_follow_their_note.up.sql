-- A note moved to another course left its uploads in the course it came
-- from, so purging that course deleted the note's pages and their images.
-- Uploads now move with their note; this puts the ones already left behind
-- in their note's course.
UPDATE uploads u SET course_id = d.course_id
FROM documents d
WHERE u.user_id = d.user_id AND u.course_id <> d.course_id
  AND (u.id = d.upload_id OR u.into_document_id = d.id
       OR u.id IN (SELECT p.upload_id FROM upload_pages p WHERE p.document_id = d.id));
