package jobs

import "time"

// QueueMaintenance runs the periodic jobs (trash purge, backup, orphan sweep)
// and the blob deletions they leave, apart from the pipeline so a long
// backup never holds up a student's upload.
const QueueMaintenance = "maintenance"

// Day is the period of the daily maintenance jobs, and of their uniqueness:
// at most one of each is inserted per UTC day, however many workers start.
const Day = 24 * time.Hour
