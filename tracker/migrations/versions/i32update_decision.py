"""status_update.decision_id: the status updates a decision made, which are nobody's report

Revision ID: i32update_decision
Revises: i20list_recent
Create Date: 2026-12-03 18:00:00

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = 'i32update_decision'
down_revision = 'i20list_recent'
branch_labels = None
depends_on = None

NAME = 'fk_status_update_decision_id_decision'


def upgrade():
    if op.get_bind().dialect.name == 'sqlite':
        # ALTER TABLE ADD COLUMN, not a batch: a batch would rebuild status_update and drop the
        # tally's triggers on it. SQLite takes the (named) reference inline.
        op.execute(
            f'ALTER TABLE status_update ADD COLUMN decision_id INTEGER '
            f'CONSTRAINT {NAME} REFERENCES decision (id)'
        )
    else:
        op.add_column('status_update', sa.Column('decision_id', sa.Integer(), nullable=True))
        op.create_foreign_key(NAME, 'status_update', 'decision', ['decision_id'], ['id'])


def downgrade():
    if op.get_bind().dialect.name == 'sqlite':
        op.execute('ALTER TABLE status_update DROP COLUMN decision_id')
    else:
        op.drop_constraint(NAME, 'status_update', type_='foreignkey')
        op.drop_column('status_update', 'decision_id')
