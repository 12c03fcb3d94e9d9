"""District review: confirm or dispute each district-sheet row, in the app or a spreadsheet, kept in
a database (SQLite by default, PostgreSQL by GZMAP_DB_URL) with an append-only audit log.

model: what a review is; rows: the sheet rows a review refers to and whether one changed since;
store: the database (users, reviews, audit); workbook: the spreadsheet round trip.
"""
