"""Slack's file upload (files.uploadV2 in slack_sdk) on the fake Web API: three steps.

files.getUploadURLExternal hands out an upload URL (here, on the same fake server), the
client POSTs the bytes there, and files.completeUploadExternal shares the file in a channel.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tests.fakes import Call, FakeServer, Reply


@dataclass
class Uploads:
    files: dict[str, bytes] = field(default_factory=dict)  # file id -> the bytes uploaded
    asked: list[dict] = field(default_factory=list)  # getUploadURLExternal's parameters
    shared: list[dict] = field(default_factory=list)  # completeUploadExternal's parameters


def serve_uploads(slack: FakeServer) -> Uploads:
    uploads = Uploads()

    def get_url(call: Call) -> Reply:
        file_id = f"F{len(uploads.asked) + 1:06d}"
        uploads.asked.append(dict(call.body))
        slack.handlers[f"/upload/{file_id}"] = receive(file_id)
        return 200, {}, {"ok": True, "file_id": file_id, "upload_url": f"{slack.url}upload/{file_id}"}

    def receive(file_id: str):
        def handler(call: Call) -> Reply:
            uploads.files[file_id] = call.raw
            return 200, {}, f"OK - {len(call.raw)}".encode()

        return handler

    def complete(call: Call) -> Reply:
        uploads.shared.append(dict(call.body))
        import json

        files = (
            json.loads(call.body.get("files") or "[]")
            if isinstance(call.body.get("files"), str)
            else call.body.get("files") or []
        )
        return 200, {}, {"ok": True, "files": [{"id": f.get("id"), "title": f.get("title")} for f in files]}

    slack.handlers["/api/files.getUploadURLExternal"] = get_url
    slack.handlers["/api/files.completeUploadExternal"] = complete
    return uploads
