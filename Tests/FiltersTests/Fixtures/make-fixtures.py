#!/usr/bin/env python3
"""Makes the MIME-sniffing fixtures with real encoders (Pillow, zipfile, gzip).

Run from this folder: python3 make-fixtures.py  (needs: pip install pillow).
The files are committed; this script documents how they were made.
"""
import gzip, io, zipfile
from PIL import Image, ImageDraw

img = Image.new("RGB", (64, 48), (30, 120, 200))
ImageDraw.Draw(img).ellipse((8, 8, 40, 40), fill=(250, 200, 0))
img.save("photo.jpg", quality=85)
img.save("image.png")
img.save("image.webp", quality=80)
img.convert("P").save("anim.gif")
img.save("document.pdf")          # Pillow writes a one-page PDF with the image

open("page.html", "w").write("<!DOCTYPE html>\n<html><head><title>x</title></head>\n<body><script>alert(document.domain)</script></body></html>\n")
open("drawing.svg", "w").write('<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>alert(1)</script><rect width="10" height="10"/></svg>\n')
open("notes.txt", "w").write("Plain notes.\n" * 40)
open("unicode.txt", "w", encoding="utf-8").write("Grüße, 你好, こんにちは — plain UTF-8 text.\n" * 20)
open("data.json", "w").write('{"name": "sluice", "values": [1, 2, 3], "nested": {"ok": true}}\n')
open("table.csv", "w").write("id,name,amount\n" + "".join(f"{i},item {i},{i * 3}\n" for i in range(50)))

with zipfile.ZipFile("archive.zip", "w", zipfile.ZIP_DEFLATED) as z:
    z.writestr("readme.txt", "hello\n" * 100)
    z.writestr("data/values.csv", "a,b\n1,2\n")

with open("archive.txt.gz", "wb") as f:
    f.write(gzip.compress(b"compressed text\n" * 200, mtime=0))

# A minimal but valid Word document: the parts Word needs, [Content_Types].xml first as Office writes it.
with zipfile.ZipFile("report.docx", "w", zipfile.ZIP_DEFLATED) as z:
    z.writestr("[Content_Types].xml", '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>')
    z.writestr("_rels/.rels", '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>')
    z.writestr("word/document.xml", '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>Hello</w:t></w:r></w:p></w:body></w:document>')
