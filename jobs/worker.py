"""Entry point of the worker process: an RQ worker with its scheduler (for `enqueue_at`)."""

import logging

from rq import Worker

from hygate_app import providers
from hygate_app.services.queue import QUEUE_NAME


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    Worker([QUEUE_NAME], connection=providers.redis()).work(with_scheduler=True)


if __name__ == "__main__":
    main()
