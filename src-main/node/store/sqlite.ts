// better-sqlite3 reads SQLITE_USE_URI once, when it loads its native binding (at the first database opened):
// URI file names let a file be checked with `immutable=1`, which creates no -wal or -shm beside it.
// Every store module imports the library from here so the variable is set before that first open.
process.env.SQLITE_USE_URI = '1'

export { default } from 'better-sqlite3'
