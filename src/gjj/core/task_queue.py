"""The hall's Huey classes (settings HUEY["huey_class"]): a task runs under the request id of the
request that enqueued it, so that its log lines, and the outside calls it makes, carry that id.

The id travels beside Huey's own message, never in the task's arguments: the task functions keep
their signatures. A task enqueued outside of any request or task (the periodic ones, from the
consumer's scheduler) gets a fresh id of its own; a retried task is the same task object sent
again, so it keeps its id. A task enqueued while another one runs (a pipeline's next step, an
error handler) takes the running one's id.

The consumer also serves its own metrics when ``GJJ_METRICS_PORT`` is set (gjj.core.metrics):
``create_consumer`` is called once per consumer process, by ``run_huey`` only.
"""

from __future__ import annotations

from typing import Any

from huey import MemoryHuey, RedisHuey, SqliteHuey
from huey.api import Huey, Task

from gjj.core.request_id import current_request_id, new_request_id, request_id_scope

# The task object's attribute, and the key beside the message in what is stored.
REQUEST_ID_ATTRIBUTE = "request_id"


class RequestIdHuey(Huey):
    def enqueue(self, task: Any) -> Any:
        # Groups and chords come back here for each of their tasks.
        if isinstance(task, Task) and not getattr(task, REQUEST_ID_ATTRIBUTE, None):
            setattr(task, REQUEST_ID_ATTRIBUTE, current_request_id() or new_request_id())
        return super().enqueue(task)

    def serialize_task(self, task: Task) -> bytes:
        message = self._registry.create_message(task)
        return self.serializer.serialize(
            {"message": message, REQUEST_ID_ATTRIBUTE: getattr(task, REQUEST_ID_ATTRIBUTE, None)}
        )

    def deserialize_task(self, data: bytes) -> Task:
        stored = self.serializer.deserialize(data)
        if isinstance(stored, dict) and "message" in stored:
            task = self._registry.create_task(stored["message"])
            setattr(task, REQUEST_ID_ATTRIBUTE, stored.get(REQUEST_ID_ATTRIBUTE))
            return task
        # A bare Huey message, queued before this class was configured.
        return self._registry.create_task(stored)

    def execute(self, task: Task, timestamp: Any = None) -> Any:
        request_id = getattr(task, REQUEST_ID_ATTRIBUTE, None) or new_request_id()
        setattr(task, REQUEST_ID_ATTRIBUTE, request_id)
        with request_id_scope(request_id=request_id):
            return super().execute(task, timestamp)

    def create_consumer(self, **options: Any) -> Any:
        from gjj.core.metrics import consumer_metrics_server_start

        consumer_metrics_server_start(huey=self)
        return super().create_consumer(**options)


class RequestIdRedisHuey(RequestIdHuey, RedisHuey):
    pass


class RequestIdSqliteHuey(RequestIdHuey, SqliteHuey):
    pass


class RequestIdMemoryHuey(RequestIdHuey, MemoryHuey):
    pass
