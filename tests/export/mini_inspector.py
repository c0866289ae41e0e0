"""Open a trajectory file in mini-swe-agent's own inspector and print what it shows, as JSON.

Run as a script in a subprocess (importing minisweagent loads a .env file into the process):
``python mini_inspector.py FILE``. Prints the steps the inspector pages through (the role and
the text it renders for each message) and its title after the last page.
"""

import asyncio
import json
import sys
from pathlib import Path

from minisweagent.models.utils.content_string import get_content_string
from minisweagent.run.utilities.inspector import TrajectoryInspector


async def main(path: Path) -> dict:
    app = TrajectoryInspector([path])
    async with app.run_test() as pilot:
        pages = []
        for index in range(app.n_steps):
            app.i_step = index
            await pilot.pause()
            pages.append([[m.get("role"), get_content_string(m)] for m in app.steps[app.i_step]])
        return {"n_steps": app.n_steps, "pages": pages, "title": app.title}


if __name__ == "__main__":
    print(json.dumps(asyncio.run(main(Path(sys.argv[1])))))
