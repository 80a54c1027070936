"""Integer primary keys for the resources Engage numbers (point definitions, accounts, ledgers).

BIGINT on PostgreSQL; INTEGER on SQLite, where only that spelling is an auto-incrementing rowid.
"""

from sqlalchemy import BigInteger, Integer

IntegerId = BigInteger().with_variant(Integer(), "sqlite")
