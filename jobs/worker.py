"""Entry point of the worker process: an RQ worker with its scheduler (for `enqueue_at`).

It runs each job in its own process (RQ's SimpleWorker) rather than in a fork per job: a fork starts cold (a new
database connection, the integration settings read and decrypted again, new HTTP clients, lazy imports), about
0.2 s of CPU per job, which made a payment wait seconds for its relay (kept warm: p50 47 ms, docs/BENCHMARKS.md).
The Shelly client also keeps its one-request-per-second spacing from one job to the next. A job's exception is
handled as before; only a job that kills the interpreter now takes the worker with it, for the process manager to
restart.
"""

import logging

from rq import SimpleWorker

from hygate_app import providers
from hygate_app.services.queue import QUEUE_NAME


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    SimpleWorker([QUEUE_NAME], connection=providers.redis()).work(with_scheduler=True)


if __name__ == "__main__":
    main()
