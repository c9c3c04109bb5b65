"""Writes the small-upload benchmark's bodies (issue 19) into DIR, the same bytes on every run.

usage: small_bodies.py DIR
log.txt (10 KiB of log lines), doc.json (a 10 KiB JSON document), table.csv (50 KiB),
image.png (~30 KB), photo.jpg (~200 KB), random.bin (1 MiB). The images are drawn and encoded
by Pillow (libpng, libjpeg): real encoders' output, with detail enough to reach those sizes.
"""
import json
import os
import random
import sys

from PIL import Image, ImageDraw, ImageFilter

out = sys.argv[1]
os.makedirs(out, exist_ok=True)
rng = random.Random(19)


def write(name, data):
    with open(os.path.join(out, name), "wb") as f:
        f.write(data)


levels = ["INFO", "WARN", "DEBUG", "ERROR"]
lines, size = [], 0
while size < 10 << 10:
    line = (f"2026-12-07T05:{rng.randrange(60):02d}:{rng.randrange(60):02d}.{rng.randrange(1000):03d}Z {rng.choice(levels):5} "
            f"worker-{rng.randrange(16)} request_id={rng.getrandbits(64):016x} path=/api/v1/items/{rng.randrange(10**6)} "
            f"status={rng.choice([200, 201, 204, 304, 404, 500])} duration_ms={rng.randrange(2000)}\n")
    lines.append(line)
    size += len(line)
write("log.txt", "".join(lines).encode()[: 10 << 10])

items, text = [], ""
while len(text) < (10 << 10) - 300:
    items.append({"id": rng.randrange(10**9), "name": f"item {rng.randrange(10**6)}", "price": round(rng.random() * 100, 2),
                  "tags": [rng.choice(["red", "green", "blue", "sale", "new"]) for _ in range(3)], "active": rng.random() < 0.5})
    text = json.dumps({"export": "items", "version": 3, "items": items}, indent=1)
write("doc.json", text.encode())

rows = ["id,date,customer,amount,currency,status"]
while sum(len(r) + 1 for r in rows) < 50 << 10:
    rows.append(f"{len(rows)},2026-{rng.randrange(1, 13):02d}-{rng.randrange(1, 29):02d},customer-{rng.randrange(10**5)},"
                f"{rng.random() * 1000:.2f},{rng.choice(['EUR', 'USD', 'GBP'])},{rng.choice(['paid', 'open', 'void'])}")
write("table.csv", ("\n".join(rows) + "\n").encode()[: 50 << 10])


def picture(width, height, shapes):
    img = Image.new("RGB", (width, height), (rng.randrange(256), rng.randrange(256), rng.randrange(256)))
    draw = ImageDraw.Draw(img)
    for _ in range(shapes):
        x, y = rng.randrange(width), rng.randrange(height)
        r = rng.randrange(4, width // 4)
        draw.ellipse((x - r, y - r, x + r, y + r), fill=(rng.randrange(256), rng.randrange(256), rng.randrange(256)))
    return img.filter(ImageFilter.GaussianBlur(1))


png = picture(170, 130, 400)
noise = Image.effect_noise((170, 130), 24).convert("RGB")
Image.blend(png, noise, 0.12).save(os.path.join(out, "image.png"), optimize=True)
photo = Image.blend(picture(900, 600, 900), Image.effect_noise((900, 600), 40).convert("RGB"), 0.2)
photo.save(os.path.join(out, "photo.jpg"), quality=91)
write("random.bin", rng.randbytes(1 << 20))
for name in sorted(os.listdir(out)):
    print(f"{name}: {os.path.getsize(os.path.join(out, name))} bytes")
