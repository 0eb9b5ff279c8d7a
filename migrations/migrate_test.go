package migrations_test

import (
	"context"
	"io"
	"log/slog"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"github.com/snapnote/snapnote/internal/pgtest"
	"github.com/snapnote/snapnote/migrations"
)

func TestUpDownUp(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool, _ := pgtest.Empty(t)
	m, err := migrations.New(pool, slog.New(slog.NewTextHandler(io.Discard, nil)))
	require.NoError(t, err)

	require.ErrorIs(t, m.Check(ctx), migrations.ErrOutOfDate)

	applied, err := m.Up(ctx)
	require.NoError(t, err)
	require.NotEmpty(t, applied)
	require.NoError(t, m.Check(ctx))
	requireTables(t, pool, true)

	again, err := m.Up(ctx)
	require.NoError(t, err)
	require.Empty(t, again, "a second up applies nothing")

	reverted, err := m.Down(ctx, 0, true)
	require.NoError(t, err)
	require.Len(t, reverted, len(applied))
	requireTables(t, pool, false)
	st, err := m.Status(ctx)
	require.NoError(t, err)
	require.Zero(t, st.AppVersion)
	require.Zero(t, st.RiverVersion)

	_, err = m.Up(ctx)
	require.NoError(t, err)
	require.NoError(t, m.Check(ctx))
	requireTables(t, pool, true)
}

func TestDownOneStepMakesCheckFail(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := pgtest.Migrated(t)
	m, err := migrations.New(pool, slog.New(slog.NewTextHandler(io.Discard, nil)))
	require.NoError(t, err)

	reverted, err := m.Down(ctx, 1, false)
	require.NoError(t, err)
	require.Len(t, reverted, 1)
	require.ErrorIs(t, m.Check(ctx), migrations.ErrOutOfDate)
	require.ErrorContains(t, m.Check(ctx), "snapnote migrate up")
}

// downTo reverts the app migrations above version, whatever the latest is,
// so a test about one migration need not change when another comes after it.
func downTo(t *testing.T, m *migrations.Migrator, version int) {
	t.Helper()
	ctx := context.Background()
	st, err := m.Status(ctx)
	require.NoError(t, err)
	reverted, err := m.Down(ctx, st.AppVersion-version, false)
	require.NoError(t, err)
	require.Equal(t, version+1, reverted[len(reverted)-1], "reverted down to %d", version)
}

func requireTables(t *testing.T, pool *pgxpool.Pool, want bool) {
	t.Helper()
	for _, table := range []string{"users", "courses", "documents", "uploads", "audit_logs", "river_job"} {
		var exists bool
		require.NoError(t, pool.QueryRow(context.Background(),
			`SELECT to_regclass($1) IS NOT NULL`, table).Scan(&exists))
		require.Equal(t, want, exists, "table %s", table)
	}
}

// An older build (a rollback) must refuse a schema it does not know,
// not panic or tell the operator to migrate up.
func TestNewerSchemaIsRefused(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := pgtest.Migrated(t)
	_, err := pool.Exec(ctx, `INSERT INTO snapnote_migrations (version, name) VALUES (999, 'from_the_future')`)
	require.NoError(t, err)
	m, err := migrations.New(pool, slog.New(slog.NewTextHandler(io.Discard, nil)))
	require.NoError(t, err)

	require.ErrorIs(t, m.Check(ctx), migrations.ErrTooNew)
	_, err = m.Up(ctx)
	require.ErrorIs(t, err, migrations.ErrTooNew)
	_, err = m.Down(ctx, 1, false)
	require.ErrorIs(t, err, migrations.ErrTooNew)
}

// Migration 008 re-indexes the notes already there: each in its course's
// language (the detected one for an auto course), accents folded, and the
// typo list without accents; going down gives back the English index.
func TestSearchLanguagesReindexExistingNotes(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := pgtest.Migrated(t)
	m, err := migrations.New(pool, slog.New(slog.NewTextHandler(io.Discard, nil)))
	require.NoError(t, err)
	downTo(t, m, 7)

	var user uuid.UUID
	require.NoError(t, pool.QueryRow(ctx, `INSERT INTO users (auth0_user_id) VALUES ('alice') RETURNING id`).Scan(&user))
	course := func(language string) uuid.UUID {
		var id uuid.UUID
		require.NoError(t, pool.QueryRow(ctx, `INSERT INTO courses (user_id, name, language) VALUES ($1, $2, $2) RETURNING id`,
			user, language).Scan(&id))
		return id
	}
	note := func(course uuid.UUID, body, metadata string) uuid.UUID {
		var id uuid.UUID
		require.NoError(t, pool.QueryRow(ctx, `INSERT INTO documents (course_id, user_id, title, original_text, formatted_note, metadata)
			VALUES ($1, $2, 'Note', '', $3, $4) RETURNING id`, course, user, body, metadata).Scan(&id))
		return id
	}
	english := note(course("eng"), "# Bridges\n\nThe bridges of Paris.", "{}")
	french := note(course("fra+eng"), "Les chevaux de l'école.", "{}")
	detected := note(course("auto"), "Die Brücken der Stadt.", `{"language":"de"}`)
	undetermined := note(course("auto"), "Die Brücken der Stadt.", `{"language":"und"}`)
	unknown := note(course("chi_sim"), "Les chevaux.", "{}")

	applied, err := m.Up(ctx)
	require.NoError(t, err)
	require.Equal(t, 8, applied[0])
	for id, want := range map[uuid.UUID]string{english: "english_unaccent", french: "french_unaccent",
		detected: "german_unaccent", undetermined: "simple_unaccent", unknown: "simple_unaccent"} {
		var config string
		require.NoError(t, pool.QueryRow(ctx, `SELECT search_config::text FROM documents WHERE id = $1`, id).Scan(&config))
		require.Equal(t, want, config)
	}
	matches := func(id uuid.UUID, config, query string) bool {
		var ok bool
		require.NoError(t, pool.QueryRow(ctx, `SELECT search @@ plainto_tsquery($2::regconfig, $3) FROM documents WHERE id = $1`,
			id, config, query).Scan(&ok))
		return ok
	}
	require.True(t, matches(english, "english_unaccent", "bridge"))
	require.True(t, matches(french, "french_unaccent", "ecole cheval"), "French stems, accents folded")
	require.True(t, matches(detected, "german_unaccent", "Brucke"))
	require.False(t, matches(undetermined, "simple_unaccent", "Brucke"), "no stemmer for an undetermined language")
	require.True(t, matches(undetermined, "simple_unaccent", "Brucken"), "but accents folded")
	var headingWeight string
	require.NoError(t, pool.QueryRow(ctx, `SELECT array_to_string(array_agg(w), '')
		FROM documents, unnest(search) AS u(lexeme, positions, weights), unnest(u.weights) AS w
		WHERE id = $1 AND u.lexeme = 'bridg'`, english).Scan(&headingWeight))
	require.Contains(t, headingWeight, "B", "a heading weighs between title and body")
	require.Contains(t, headingWeight, "C")
	var words []string
	require.NoError(t, pool.QueryRow(ctx, `SELECT array_agg(word ORDER BY word) FROM search_words WHERE user_id = $1 AND word LIKE 'ecol%'`,
		user).Scan(&words))
	require.Equal(t, []string{"ecole"}, words, "the typo list folds accents too")

	downTo(t, m, 7)
	require.True(t, matches(french, "english", "chevaux"))
	require.False(t, matches(french, "english", "cheval"), "down gives back English rules for every note")
	_, err = m.Up(ctx)
	require.NoError(t, err)
	require.True(t, matches(french, "french_unaccent", "cheval"))
}

// Going down from migration 010, a note read again gets its pages and their
// figures back from the upload they were read from, and the images are
// unique to one page again.
func TestRereadsGoBackOnDown(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := pgtest.Migrated(t)
	m, err := migrations.New(pool, slog.New(slog.NewTextHandler(io.Discard, nil)))
	require.NoError(t, err)
	var user, course, doc uuid.UUID
	require.NoError(t, pool.QueryRow(ctx, `INSERT INTO users (auth0_user_id) VALUES ('alice') RETURNING id`).Scan(&user))
	require.NoError(t, pool.QueryRow(ctx, `INSERT INTO courses (user_id, name) VALUES ($1, 'Physics') RETURNING id`, user).Scan(&course))
	require.NoError(t, pool.QueryRow(ctx, `INSERT INTO documents (course_id, user_id, title, original_text, formatted_note)
		VALUES ($1, $2, 'Heat', 'read again', 'read again') RETURNING id`, course, user).Scan(&doc))
	upload := func(rereads bool) uuid.UUID {
		id := uuid.New()
		_, err := pool.Exec(ctx, `INSERT INTO uploads (id, user_id, course_id, status, stage, blob_key, content_type, byte_size,
				sha256, image_width, image_height, into_document_id, rereads, finished_at)
			VALUES ($1, $2, $3, 'done', 'extract', 'uploads/p1.png', 'image/png', 10, repeat('0', 64), 10, 10,
				CASE WHEN $4 THEN $5::uuid END, $4, now())`, id, user, course, rereads, doc)
		require.NoError(t, err)
		_, err = pool.Exec(ctx, `INSERT INTO upload_pages (upload_id, n, blob_key, content_type, byte_size, sha256,
				image_width, image_height, status, document_id, position)
			VALUES ($1, 1, 'uploads/p1.png', 'image/png', 10, repeat('0', 64), 10, 10, 'done',
				CASE WHEN $2 THEN $3::uuid END, CASE WHEN $2 THEN 1 END)`, id, rereads, doc)
		require.NoError(t, err)
		_, err = pool.Exec(ctx, `INSERT INTO page_figures (upload_id, page, k, blob_key, content_type, byte_size, width, height,
				document_id, n)
			VALUES ($1, 1, 1, $4, 'image/png', 10, 10, 10, CASE WHEN $2 THEN $3::uuid END, CASE WHEN $2 THEN 1 END)`,
			id, rereads, doc, id.String()+"-f1.png")
		require.NoError(t, err)
		return id
	}
	first, reread := upload(false), upload(true)
	_, err = pool.Exec(ctx, `INSERT INTO document_versions (document_id, n, title, original_text, formatted_note, replaced_by)
		VALUES ($1, 1, 'Heat', 'first read', 'first read', 'reread')`, doc)
	require.NoError(t, err)

	downTo(t, m, 9)
	var pageOf, figureOf uuid.UUID
	require.NoError(t, pool.QueryRow(ctx, `SELECT upload_id FROM upload_pages WHERE document_id = $1 AND position = 1`, doc).Scan(&pageOf))
	require.Equal(t, first, pageOf, "the page is the first upload's again")
	require.NoError(t, pool.QueryRow(ctx, `SELECT upload_id FROM page_figures WHERE document_id = $1 AND n = 1`, doc).Scan(&figureOf))
	require.Equal(t, first, figureOf, "and so is figure 1")
	var left int
	require.NoError(t, pool.QueryRow(ctx, `SELECT count(*) FROM uploads WHERE id = $1`, reread).Scan(&left))
	require.Zero(t, left, "the reread is gone")
	_, err = pool.Exec(ctx, `INSERT INTO upload_pages (upload_id, n, blob_key, content_type, byte_size, sha256, image_width, image_height)
		VALUES ($1, 2, 'uploads/p1.png', 'image/png', 10, repeat('0', 64), 10, 10)`, first)
	require.Error(t, err, "an image belongs to one page again")

	_, err = m.Up(ctx)
	require.NoError(t, err)
}

// Migration 011 puts the uploads a moved note left behind in its course, so
// purging the course it left no longer deletes its pages.
func TestUploadsFollowTheirNote(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := pgtest.Migrated(t)
	m, err := migrations.New(pool, slog.New(slog.NewTextHandler(io.Discard, nil)))
	require.NoError(t, err)
	downTo(t, m, 10)

	var user, left, kept, upload, doc uuid.UUID
	require.NoError(t, pool.QueryRow(ctx, `INSERT INTO users (auth0_user_id) VALUES ('alice') RETURNING id`).Scan(&user))
	require.NoError(t, pool.QueryRow(ctx, `INSERT INTO courses (user_id, name) VALUES ($1, 'Left') RETURNING id`, user).Scan(&left))
	require.NoError(t, pool.QueryRow(ctx, `INSERT INTO courses (user_id, name) VALUES ($1, 'Kept') RETURNING id`, user).Scan(&kept))
	require.NoError(t, pool.QueryRow(ctx, `INSERT INTO uploads (user_id, course_id, status, stage, blob_key, content_type, byte_size,
			sha256, image_width, image_height, finished_at)
		VALUES ($1, $2, 'done', 'extract', 'uploads/p1.png', 'image/png', 10, repeat('0', 64), 10, 10, now())
		RETURNING id`, user, left).Scan(&upload))
	require.NoError(t, pool.QueryRow(ctx, `INSERT INTO documents (course_id, user_id, upload_id, title, original_text, formatted_note)
		VALUES ($1, $2, $3, 'Heat', 'text', 'text') RETURNING id`, kept, user, upload).Scan(&doc))

	_, err = m.Up(ctx)
	require.NoError(t, err)
	var course uuid.UUID
	require.NoError(t, pool.QueryRow(ctx, `SELECT course_id FROM uploads WHERE id = $1`, upload).Scan(&course))
	require.Equal(t, kept, course, "the upload is in its note's course")
	downTo(t, m, 10)
	require.NoError(t, pool.QueryRow(ctx, `SELECT course_id FROM uploads WHERE id = $1`, upload).Scan(&course))
	require.Equal(t, kept, course, "going down leaves it there")
}
