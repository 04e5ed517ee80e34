"""Draw carvrooom.png (256 px, Linux hicolor) and carvrooom.ico (16-256 px, Windows) like carvrooom.svg.

Run once after changing the design (`.venv/bin/python build/icons/make_icons.py`); the outputs are committed
so neither build needs a drawing library. Pillow comes with the venv (a dependency of a dependency).
"""

from pathlib import Path

from PIL import Image, ImageDraw

HERE = Path(__file__).parent
NAVY, LIGHT, AMBER = "#1f3b57", "#e8eef4", "#f2a33a"


def draw(size: int = 1024) -> Image.Image:
    s = size / 256
    img = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    d = ImageDraw.Draw(img)
    d.rounded_rectangle([8 * s, 8 * s, 248 * s, 248 * s], radius=48 * s, fill=NAVY)
    box = [48 * s, 48 * s, 208 * s, 208 * s]  # the gauge's circle (centre 128,128, r 80)
    d.arc(box, start=143, end=37 + 360, fill=LIGHT, width=int(18 * s))
    d.arc(box, start=-53, end=37, fill=AMBER, width=int(18 * s))
    d.line([128 * s, 152 * s, 182 * s, 98 * s], fill=AMBER, width=int(12 * s))
    d.ellipse([112 * s, 136 * s, 144 * s, 168 * s], fill=LIGHT)
    d.rounded_rectangle([72 * s, 196 * s, 184 * s, 212 * s], radius=8 * s, fill=LIGHT)
    return img


if __name__ == "__main__":
    big = draw()
    big.resize((256, 256), Image.LANCZOS).save(HERE / "carvrooom.png")
    big.resize((256, 256), Image.LANCZOS).save(HERE / "carvrooom.ico", sizes=[(16, 16), (32, 32), (48, 48), (64, 64), (128, 128), (256, 256)])
    print("wrote", HERE / "carvrooom.png", HERE / "carvrooom.ico")
