"""One engine's measurements, run in a fresh process so its memory and imports are its own.

    worker.py build ENGINE TOKENS_DIR INDEX_DIR OUT_JSON [PASSES]   build, save, time every query
    worker.py open  ENGINE TOKENS_DIR INDEX_DIR OUT_JSON   open the saved index + first query

Peak memory is the build's own: the kernel's peak-RSS mark (VmHWM) is reset after the tokens are
loaded (writing 5 to /proc/self/clear_refs), and the figure is VmHWM after the build minus VmRSS
before it.
"""

from __future__ import annotations

import gc
import importlib
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import tokenised  # noqa: E402
from adapters import ENGINES  # noqa: E402

K = 5
MB = 1 << 20
ENGINE_MODULES = {
    "ours": "retrieval.ranking.engine",
    "ours-bm25l": "retrieval.ranking.engine",
    "ours-bm25plus": "retrieval.ranking.engine",
    "ours-bm25plus+server": "retrieval.ranking.engine",
    "rank-bm25": "rank_bm25",
    "bm25s-numpy": "bm25s",
    "bm25s-numba": "bm25s",
}


def _status_bytes(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) * 1024
    raise KeyError(field)


def _directory_bytes(directory: Path) -> int:
    return sum(f.stat().st_size for f in directory.rglob("*") if f.is_file())


def build(engine_name: str, tokens_dir: Path, index_dir: Path, passes: int = 1) -> dict:
    """Build, save, then time every query: its fastest of `passes` timed passes (on a busy
    machine the fastest is the query's own cost; a single pass also measures the neighbours)."""
    engine = ENGINES[engine_name]
    importlib.import_module(ENGINE_MODULES[engine_name])  # import cost is not build cost
    docs = tokenised.load(tokens_dir, "passages")
    queries = tokenised.load(tokens_dir, "queries")
    gc.collect()
    rss_before = _status_bytes("VmRSS")
    Path("/proc/self/clear_refs").write_text("5")
    started = time.perf_counter()
    index = engine.build(docs)
    build_s = time.perf_counter() - started
    peak_mb = (_status_bytes("VmHWM") - rss_before) / MB
    result: dict = {"build_s": build_s, "peak_mb": peak_mb}
    if hasattr(engine, "figures"):
        result.update(engine.figures(index))
    if engine.can_save:
        index_dir.mkdir(parents=True, exist_ok=True)
        started = time.perf_counter()
        engine.save(index, index_dir)
        result["save_s"] = time.perf_counter() - started
        result["index_mb"] = _directory_bytes(index_dir) / MB
    if engine_name != "rank-bm25":  # rank-bm25 has nothing to warm up and takes seconds per query
        for query in queries:
            engine.top_k(index, query, K)
    if engine_name == "rank-bm25":
        passes = 1  # 0.1-1.4 s per query at 100k-1M
    latencies, hits = [float("inf")] * len(queries), []
    for timed_pass in range(passes):
        for i, query in enumerate(queries):
            started = time.perf_counter()
            found = engine.top_k(index, query, K)
            latencies[i] = min(latencies[i], (time.perf_counter() - started) * 1000)
            if timed_pass == 0:
                hits.append(found)
    result.update(latencies_ms=latencies, hits=hits)
    return result


def open_index(engine_name: str, tokens_dir: Path, index_dir: Path) -> dict:
    engine = ENGINES[engine_name]
    first_query = tokenised.load(tokens_dir, "queries")[0]
    started = time.perf_counter()
    importlib.import_module(ENGINE_MODULES[engine_name])
    import_s = time.perf_counter() - started
    started = time.perf_counter()
    index = engine.open(index_dir)
    engine.top_k(index, first_query, K)
    return {"import_s": import_s, "open_s": time.perf_counter() - started}


def main() -> None:
    mode, engine_name, tokens_dir, index_dir, out = sys.argv[1:6]
    passes = int(sys.argv[6]) if len(sys.argv) > 6 else 1
    if mode == "build":
        result = build(engine_name, Path(tokens_dir), Path(index_dir), passes)
    else:
        result = open_index(engine_name, Path(tokens_dir), Path(index_dir))
    Path(out).write_text(json.dumps(result))


if __name__ == "__main__":
    main()
