package db

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
)

// User is a person who signed in; created on first use from token claims.
type User struct {
	ID            uuid.UUID
	Auth0UserID   string
	Email         string // "" when the identity provider sent none
	Name          string
	AvatarURL     string
	EmailVerified bool
	IsActive      bool
	CreatedAt     time.Time
	UpdatedAt     time.Time
	LastLoginAt   *time.Time
}

// Identity is what a validated access token says about its holder.
type Identity struct {
	Subject       string
	Email         string
	EmailVerified bool
	Name          string
	Picture       string
}

const userColumns = `id, auth0_user_id, coalesce(email, ''), name, coalesce(avatar_url, ''),
	email_verified, is_active, created_at, updated_at, last_login_at`

func scanUser(row scanner) (User, error) {
	var u User
	err := row.Scan(&u.ID, &u.Auth0UserID, &u.Email, &u.Name, &u.AvatarURL,
		&u.EmailVerified, &u.IsActive, &u.CreatedAt, &u.UpdatedAt, &u.LastLoginAt)
	return u, interpretError(err)
}

// lastLoginResolution bounds how often a busy user's row is written: the
// login time is refreshed at most this often, not on every request.
const lastLoginResolution = 5 * time.Minute

// UpsertUser returns the user the identity names, creating the row on first
// use and syncing email, picture and verification from the token. A name the
// user chose (PATCH /api/user) is kept; the token's fills it only when empty.
// When the email is already held by another account the row is kept without
// it rather than refusing the sign-in.
func (q *Queries) UpsertUser(ctx context.Context, id Identity) (User, error) {
	u, err := q.upsertUser(ctx, id)
	if errors.Is(err, ErrConflict) && id.Email != "" {
		id.Email, id.EmailVerified = "", false
		u, err = q.upsertUser(ctx, id)
	}
	if err != nil {
		return User{}, fmt.Errorf("upsert user: %w", err)
	}
	return u, nil
}

func (q *Queries) upsertUser(ctx context.Context, id Identity) (User, error) {
	name := cmp.Or(id.Name, id.Email)
	// Claims come from the identity provider, not from a form: a value the
	// columns cannot hold is cut (name) or dropped (email, picture) rather
	// than locking the user out.
	name = truncateRunes(strings.ReplaceAll(name, "\x00", ""), 255)
	if utf8.RuneCountInString(id.Email) > 255 || strings.ContainsRune(id.Email, 0) {
		id.Email, id.EmailVerified = "", false
	}
	if utf8.RuneCountInString(id.Picture) > 512 || strings.ContainsRune(id.Picture, 0) {
		id.Picture = ""
	}
	row := q.db.QueryRow(ctx, `
		INSERT INTO users (auth0_user_id, email, name, avatar_url, email_verified, last_login_at)
		VALUES ($1, nullif($2, ''), $3, nullif($4, ''), $5, now())
		ON CONFLICT (auth0_user_id) DO UPDATE SET
			email          = coalesce(EXCLUDED.email, users.email),
			name           = CASE WHEN users.name = '' THEN EXCLUDED.name ELSE users.name END,
			avatar_url     = coalesce(EXCLUDED.avatar_url, users.avatar_url),
			email_verified = CASE WHEN EXCLUDED.email IS NULL THEN users.email_verified ELSE EXCLUDED.email_verified END,
			last_login_at  = now(),
			updated_at     = now()
		WHERE users.last_login_at IS NULL
		   OR users.last_login_at < now() - $6::interval
		   OR users.email IS DISTINCT FROM coalesce(EXCLUDED.email, users.email)
		   OR users.avatar_url IS DISTINCT FROM coalesce(EXCLUDED.avatar_url, users.avatar_url)
		   OR (users.name = '' AND EXCLUDED.name <> '')
		RETURNING `+userColumns,
		id.Subject, id.Email, name, id.Picture, id.EmailVerified, lastLoginResolution)
	u, err := scanUser(row)
	if errors.Is(err, ErrNotFound) {
		// Nothing changed: the WHERE above skipped the write.
		return scanUser(q.db.QueryRow(ctx, `SELECT `+userColumns+` FROM users WHERE auth0_user_id = $1`, id.Subject))
	}
	return u, err
}

// UpdateUserName sets the user's display name.
func (q *Queries) UpdateUserName(ctx context.Context, id uuid.UUID, name string) (User, error) {
	return scanUser(q.db.QueryRow(ctx, `
		UPDATE users SET name = $2, updated_at = now() WHERE id = $1
		RETURNING `+userColumns, id, name))
}

func truncateRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n])
}

// TombstoneUser frees the user's subject at once, so that the next token
// with it makes a new, empty account, while the rows of the old one wait
// for DeleteAccount: the row keeps its id, loses its subject and email, and
// is inactive.
func (q *Queries) TombstoneUser(ctx context.Context, id uuid.UUID) error {
	tag, err := q.db.Exec(ctx, `
		UPDATE users SET auth0_user_id = 'deleted:' || id::text, email = NULL, avatar_url = NULL,
			is_active = false, updated_at = now()
		WHERE id = $1 AND is_active`, id)
	if err != nil {
		return fmt.Errorf("tombstone user %s: %w", id, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("tombstone user %s: %w", id, ErrNotFound)
	}
	return nil
}

// DeleteAccount removes a user and every row the user owned: courses,
// documents, uploads and their pages and figures, search words, and the user's audit
// rows (they hold the addresses and the changes the user made), leaving
// one audit row that says the account was deleted, with nothing personal
// in it. It returns the keys of the blobs those rows referenced, for the
// caller to delete. Run it in a transaction.
func (q *Queries) DeleteAccount(ctx context.Context, userID uuid.UUID) ([]string, error) {
	keys, err := list(ctx, q.db, "list the account's blobs", func(r scanner) (string, error) {
		var key string
		return key, r.Scan(&key)
	}, `
		SELECT blob_key FROM uploads WHERE user_id = $1
		UNION SELECT p.blob_key FROM upload_pages p JOIN uploads u ON u.id = p.upload_id WHERE u.user_id = $1
		UNION SELECT f.blob_key FROM page_figures f JOIN uploads u ON u.id = f.upload_id WHERE u.user_id = $1
		UNION SELECT image_path FROM documents WHERE user_id = $1 AND image_path IS NOT NULL`, userID)
	if err != nil {
		return nil, err
	}
	if _, err := q.db.Exec(ctx, `DELETE FROM audit_logs WHERE user_id = $1`, userID); err != nil {
		return nil, fmt.Errorf("delete the account's audit rows: %w", err)
	}
	// Documents first: uploads point at them, and they at uploads.
	for _, stmt := range []string{
		`DELETE FROM documents WHERE user_id = $1`,
		`DELETE FROM uploads WHERE user_id = $1`,
		`DELETE FROM users WHERE id = $1`,
	} {
		if _, err := q.db.Exec(ctx, stmt, userID); err != nil {
			return nil, fmt.Errorf("delete account %s: %w", userID, err)
		}
	}
	return keys, q.InsertAudit(ctx, AuditEntry{Action: AuditDelete, EntityType: EntityUser, EntityID: userID})
}
