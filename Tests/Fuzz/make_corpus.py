#!/usr/bin/env python3
"""Writes the fuzz seed corpus: small valid files in every format Lethe parses, one folder per
target under Tests/Fuzz/corpus/ (kept small: libFuzzer mutates inputs up to the largest seed).
Needs numpy and scipy; the JPEG seed is taken from the CIFAR-10 JPEG tar beside the project when
present (run from the repository root). Crash inputs found by fuzzing live beside the seeds as
crash-* files and are never rewritten by this script."""
import gzip, io, json, os, struct, sys, tarfile, zipfile, zlib, pickle
import numpy as np
import scipy.io

root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus")

def put(target, name, data):
    os.makedirs(os.path.join(root, target), exist_ok=True)
    with open(os.path.join(root, target, name), "wb") as f:
        f.write(data)

def gz(data):
    return gzip.compress(data, mtime=0)

# --- safetensors: the fuzz model's state (conv, batch norm, linear) and a mixed small file ---
def safetensors(tensors, metadata=None):
    header, blobs, offset = {}, [], 0
    if metadata:
        header["__metadata__"] = metadata
    for name, (dtype, shape, values) in tensors.items():
        raw = np.asarray(values, dtype={"F32": "<f4", "I64": "<i8"}[dtype]).tobytes()
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * (-len(h) % 8)
    return struct.pack("<Q", len(h)) + h + b"".join(blobs)

r = np.random.default_rng(0)
model = {
    "conv.weight": ("F32", [2, 1, 3, 3], r.normal(size=18)),
    "conv.bias": ("F32", [2], [0.1, -0.1]),
    "bn.weight": ("F32", [2], [1, 1]), "bn.bias": ("F32", [2], [0, 0]),
    "bn.running_mean": ("F32", [2], [0, 0]), "bn.running_var": ("F32", [2], [1, 1]),
    "bn.num_batches_tracked": ("I64", [], [3]),
    "fc.weight": ("F32", [3, 8], r.normal(size=24)), "fc.bias": ("F32", [3], [0, 0, 0]),
}
put("safetensors", "model.safetensors", safetensors(model, {"format": "pt", "model": "fuzz"}))
put("safetensors", "mixed.safetensors", safetensors({
    "a": ("F32", [2, 3], [1, -2, 3.5, 0, 1e-8, -7]), "steps": ("I64", [], [42]),
    "empty": ("F32", [0, 4], []), "ids": ("I64", [3], [-1, 0, 2**63 - 1])}))
# torch.save's format (a zip holding archive/data.pkl) and a legacy pickle: recognised, refused.
buffer = io.BytesIO()
with zipfile.ZipFile(buffer, "w") as z:
    z.writestr("archive/data.pkl", pickle.dumps({"fc.bias": [0.0, 0.0]}, protocol=2))
    z.writestr("archive/version", b"3\n")
put("safetensors", "torch-save.pt", buffer.getvalue())
put("safetensors", "legacy.pt", pickle.dumps({"w": [1.0, 2.0]}, protocol=2))

# --- IDX: images and labels, raw and gzipped (one file of two gzip members) ---
def idx(shape, data):
    return bytes([0, 0, 8, len(shape)]) + b"".join(struct.pack(">I", d) for d in shape) + bytes(data)

images = idx([3, 4, 4], [(i * 37) % 256 for i in range(48)])
labels = idx([3], [7, 0, 9])
put("idx", "images-idx3-ubyte", images)
put("idx", "labels-idx1-ubyte", labels)
put("idx", "images-idx3-ubyte.gz", gz(images))
put("idx", "labels-idx1-ubyte.gz", gz(labels))
put("idx", "two-members.gz", gz(images[:20]) + gz(images[20:]))

# --- CIFAR binary: one record of each variant, and a gzipped CIFAR-10 record ---
pixels = bytes((i * 7) % 256 for i in range(3072))
put("cifar", "cifar10-record.bin", bytes([3]) + pixels)
put("cifar", "cifar100-record.bin", bytes([1, 42]) + pixels)
put("cifar", "cifar10-record.bin.gz", gz(bytes([9]) + pixels))

# --- .npy: every dtype the reader takes, a scalar, and a version-2 header ---
def npy(array, version=(1, 0)):
    b = io.BytesIO()
    np.lib.format.write_array(b, np.asarray(array), version=version)
    return b.getvalue()

put("npy", "u1.npy", npy(np.arange(6, dtype=np.uint8).reshape(2, 3)))
put("npy", "i8.npy", npy(np.array([2, 0, -1], dtype="<i8")))
put("npy", "i4.npy", npy(np.array([[1, 2], [3, 4]], dtype="<i4")))
put("npy", "f4.npy", npy(np.array([[0.5, -1], [2, 3]], dtype="<f4")))
put("npy", "f8.npy", npy(np.array([1.5, 2.5], dtype="<f8")))
put("npy", "bool.npy", npy(np.array([True, False, True])))
put("npy", "scalar.npy", npy(np.float32(3)))
put("npy", "v2.npy", npy(np.arange(4, dtype=np.uint8), version=(2, 0)))

# --- .npz (Purchase): integer labels and one-hot labels, stored and deflated ---
features = (np.arange(24).reshape(4, 6) % 3 == 0).astype(np.uint8)
for name, save in [("stored", np.savez), ("deflated", np.savez_compressed)]:
    b = io.BytesIO()
    save(b, features=features, labels=np.array([2, 0, 1, 3], dtype=np.int64))
    put("npz", f"labels-{name}.npz", b.getvalue())
b = io.BytesIO()
np.savez_compressed(b, x=features.astype(np.float32), y=np.eye(4, dtype=np.float32)[[1, 0, 3, 2]])
put("npz", "onehot.npz", b.getvalue())

# --- zip: stored, deflated, zip64 records ---
def zipped(compression, zip64=False):
    b = io.BytesIO()
    with zipfile.ZipFile(b, "w", compression=compression) as z:
        with z.open("a.npy", "w", force_zip64=zip64) as f:
            f.write(npy(np.arange(6, dtype=np.uint8)))
        z.writestr("dir/b.txt", b"hello hello hello hello")
    return b.getvalue()

put("zip", "stored.zip", zipped(zipfile.ZIP_STORED))
put("zip", "deflated.zip", zipped(zipfile.ZIP_DEFLATED))
put("zip", "zip64.zip", zipped(zipfile.ZIP_DEFLATED, zip64=True))

# --- MAT (SVHN): X rows×cols×3×N uint8, y N×1 with 10 meaning 0; compressed and not ---
X = (np.arange(4 * 4 * 3 * 2) % 251).astype(np.uint8).reshape(4, 4, 3, 2)
y = np.array([[1], [10]], dtype=np.uint8)
for compressed in (False, True):
    b = io.BytesIO()
    scipy.io.savemat(b, {"X": X, "y": y}, do_compression=compressed)
    put("mat", f"svhn-{'z' if compressed else 'plain'}.mat", b.getvalue())
b = io.BytesIO()
scipy.io.savemat(b, {"X": X.astype(np.float64), "y": y.astype(np.int16), "note": "text", "cell": [[1, 2]]})
put("mat", "types.mat", b.getvalue())

# --- images: PNG (RGB, grey) written here, a JPEG from the CIFAR-10 JPEG tar ---
def png(width, height, channels, data):
    def chunk(kind, body):
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
    color = {1: 0, 3: 2}[channels]
    rows = b"".join(b"\0" + bytes(data[r * width * channels:(r + 1) * width * channels]) for r in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, color, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))

rgb = png(4, 4, 3, [(i * 13) % 256 for i in range(48)])
grey = png(5, 3, 1, [(i * 17) % 256 for i in range(15)])
put("image", "rgb.png", rgb)
put("image", "grey.png", grey)
jpeg = None
shared = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(root)))),
                      "shared", "datasets", "cifar10-images", "cifar10-images.tar.gz")
if os.path.exists(shared):
    with tarfile.open(shared) as t:
        jpeg = t.extractfile("test/airplane/0000.jpg").read()
    put("image", "cifar.jpg", jpeg)
elif os.path.exists(os.path.join(root, "image", "cifar.jpg")):
    jpeg = open(os.path.join(root, "image", "cifar.jpg"), "rb").read()

# --- tar: an image-folder tree (train/, test/), with a GNU long name and a pax path ---
def tarred(members, form):
    b = io.BytesIO()
    with tarfile.open(fileobj=b, mode="w", format=form) as t:
        for name, data in members:
            info = tarfile.TarInfo(name)
            info.size, info.mtime = len(data), 0
            t.addfile(info, io.BytesIO(data))
    # tarfile pads to 10 KiB records; keep the members and the two zero blocks that end the archive.
    body = b.getvalue().rstrip(b"\0")
    body += b"\0" * (-len(body) % 512)
    return body + b"\0" * 1024

members = [("train/cat/0.png", rgb), ("train/dog/1.png", grey), ("test/cat/2.png", rgb)]
if jpeg:
    members.append(("test/dog/3.jpg", jpeg))
put("tar", "ustar.tar", tarred(members, tarfile.USTAR_FORMAT))
long = "train/" + "d" * 120 + "/x.png"
put("tar", "gnu-long-name.tar", tarred([(long, rgb), ("test/" + "d" * 120 + "/y.png", grey)], tarfile.GNU_FORMAT))
put("tar", "pax.tar", tarred([(long, rgb), ("test/" + "d" * 120 + "/y.png", grey)], tarfile.PAX_FORMAT))

# --- Purchase text: 1-based labels, CRLF, a blank line; and gzipped ---
text = b"1,0,1,1,0\n3,1,1,0,0\r\n2,0,0,0,1\n\n4,1.0,0.0,1,1\n"
put("purchase-text", "dataset_purchase", text)
put("purchase-text", "dataset_purchase.gz", gz(text))

# --- dataset cache entries ("LETHEDS2"): bytes and Float32 storage ---
def cache_entry(header, labels, samples):
    h = json.dumps(header, separators=(",", ":")).encode()
    body = b"LETHEDS2" + struct.pack("<Q", len(h)) + h + struct.pack(f"<{len(labels)}i", *labels) + samples
    return body + struct.pack("<I", zlib.crc32(body))

put("dataset-cache", "bytes.ldset", cache_entry(
    {"name": "toy/train", "sampleShape": [1, 2, 2], "classCount": 3, "classNames": ["a", "b", "c"],
     "count": 3, "scale": 1 / 255, "isSynthetic": False, "origin": "toy"},
    [0, 2, 1], bytes(range(12))))
put("dataset-cache", "floats.ldset", cache_entry(
    {"name": "toy/test", "sampleShape": [3], "classCount": 2, "classNames": ["0", "1"],
     "count": 2, "isSynthetic": True, "origin": "generated"},
    [1, 0], np.array([0.5, -1, 2, 3, 4, 5], dtype="<f4").tobytes()))

# --- results JSONL: two records from a real run (the demo's baseline), a torn last line ---
baseline = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(root)))),
                        "notes", "demo-baseline.jsonl")
if os.path.exists(baseline):
    lines = open(baseline, "rb").read().splitlines()[:2]
    put("results", "two-records.jsonl", b"\n".join(lines) + b"\n")
    put("results", "torn.jsonl", lines[0] + b"\n" + lines[1][: len(lines[1]) // 2])
print("corpus written to", root, file=sys.stderr)
