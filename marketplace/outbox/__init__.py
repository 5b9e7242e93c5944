"""The transactional outbox: calls to other systems (Stripe) written as rows with the business
change they belong to, sent after commit by :mod:`marketplace.outbox.dispatch`."""
