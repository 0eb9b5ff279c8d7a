package backup

import "time"

// SetNow makes m read the time from now, so that a test can start backups in the same second.
func SetNow(m *Manager, now func() time.Time) { m.now = now }
