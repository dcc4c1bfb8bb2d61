"""The project's own drawings of the product categories (tea leaves, a mango, a coffee bean, a honey jar…).

One drawing is a list of shapes on a 120 × 120 grid: circles, ellipses, polygons, polylines and rounded
rectangles, which both SVG and Pillow draw alike (products/pictures.py names them and writes the SVG).
"""

import math

GRID = 120
INK = "#2f5d34"
LEAF = "#4f8a3c"
LEAF_LIGHT = "#7fb35a"
BROWN = "#6b4226"
AMBER = "#d99a1e"
GOLD = "#f2c14e"
RED = "#c8472d"
BLUE = "#2f6f8f"
WATER = "#8cc7dd"
CREAM = "#f6ecd2"
WHITE = "#ffffff"

# The background tint of each OCOP group (1 food … 6 tourism).
TINTS = {1: "#eef4e6", 2: "#e8f1f4", 3: "#edf5ea", 4: "#f6efe4", 5: "#eaf4ea", 6: "#e9f0f6"}


def circle(cx, cy, r, fill):
    return ("circle", (cx, cy, r), fill)


def ellipse(cx, cy, rx, ry, fill):
    return ("ellipse", (cx, cy, rx, ry), fill)


def poly(points, fill):
    return ("poly", tuple(points), fill)


def line(points, width, colour):
    return ("line", (tuple(points), width), colour)


def rect(x, y, w, h, r, fill):
    return ("rect", (x, y, w, h, r), fill)


def leaf(x, y, length, width, angle, fill=LEAF, steps=10):
    """A pointed leaf from its stalk at (x, y), `angle` degrees from pointing right (clockwise, y down)."""
    a = math.radians(angle)
    ux, uy, vx, vy = math.cos(a), math.sin(a), -math.sin(a), math.cos(a)
    side_a, side_b = [], []
    for i in range(steps + 1):
        t = i / steps
        along, across = t * length, math.sin(math.pi * t) * width / 2
        side_a.append((x + ux * along + vx * across, y + uy * along + vy * across))
        side_b.append((x + ux * along - vx * across, y + uy * along - vy * across))
    return poly([_round(p) for p in side_a + side_b[::-1]], fill)


def arc_points(cx, cy, rx, ry, start, end, steps=12):
    """Points along an ellipse between two angles in degrees (0 = right, 90 = down)."""
    return [
        _round(
            (
                cx + rx * math.cos(math.radians(start + (end - start) * i / steps)),
                cy + ry * math.sin(math.radians(start + (end - start) * i / steps)),
            )
        )
        for i in range(steps + 1)
    ]


def _round(point):
    return (round(point[0], 1), round(point[1], 1))


def tea():
    return [
        line([(60, 104), (60, 40)], 4, BROWN),
        leaf(60, 84, 38, 18, -150),
        leaf(60, 70, 38, 18, -30),
        leaf(60, 56, 32, 15, -145, LEAF_LIGHT),
        leaf(60, 46, 30, 14, -40, LEAF_LIGHT),
        leaf(60, 42, 24, 11, -90, LEAF_LIGHT),
    ]


def coffee():
    return [
        ellipse(52, 64, 24, 32, BROWN),
        line(arc_points(70, 64, 22, 28, 150, 210, 8), 4, "#3b2414"),
        ellipse(84, 46, 13, 17, "#8a5a36"),
        line([(84, 32), (82, 46), (84, 60)], 3, "#3b2414"),
        leaf(88, 86, 24, 11, -20),
    ]


def mango():
    body = arc_points(60, 66, 32, 36, 0, 360, 24)
    body = [(x + (y - 66) * -0.25, y) for x, y in body]
    return [
        poly([_round(p) for p in body], GOLD),
        ellipse(50, 56, 9, 14, "#f8d97e"),
        line([(66, 32), (70, 22)], 4, BROWN),
        leaf(70, 24, 30, 13, -20),
    ]


def fruit():
    return [
        circle(60, 68, 32, "#f08a24"),
        circle(50, 58, 8, "#f7b267"),
        line([(60, 38), (62, 28)], 4, BROWN),
        leaf(62, 30, 26, 12, -25),
    ]


def honey():
    return [
        rect(34, 40, 52, 64, 12, AMBER),
        rect(30, 30, 60, 14, 4, BROWN),
        rect(42, 60, 36, 24, 4, CREAM),
        poly([(60, 64), (68, 68.5), (68, 77.5), (60, 82), (52, 77.5), (52, 68.5)], GOLD),
        poly([(40, 44), (52, 44), (50, 54), (46, 58), (42, 54)], "#b87a0d"),
    ]


def rice():
    grains = []
    for i, y in enumerate(range(30, 86, 11)):
        grains.append(ellipse(48 - i * 1.2, y + 6, 6, 9, GOLD))
        grains.append(ellipse(70 + i * 1.2, y + 2, 6, 9, GOLD))
    return [
        line([(60, 106), (60, 24)], 4, LEAF),
        *grains,
        ellipse(60, 22, 5, 8, GOLD),
        leaf(60, 100, 34, 8, -150),
        leaf(60, 96, 34, 8, -30),
    ]


def fish(cx=60, cy=60, scale=1.0, colour=BLUE):
    s = scale
    return [
        ellipse(cx - 6 * s, cy, 34 * s, 18 * s, colour),
        poly([(cx + 22 * s, cy), (cx + 42 * s, cy - 16 * s), (cx + 38 * s, cy), (cx + 42 * s, cy + 16 * s)], colour),
        circle(cx - 26 * s, cy - 4 * s, 4 * s, WHITE),
        circle(cx - 26 * s, cy - 4 * s, 2 * s, "#13303d"),
        line([(cx - 14 * s, cy - 12 * s), (cx - 10 * s, cy), (cx - 14 * s, cy + 12 * s)], 2.5 * s, "#1f4f66"),
    ]


def fish_sauce():
    return [
        rect(52, 14, 16, 12, 3, RED),
        poly([(54, 26), (66, 26), (66, 40), (80, 54), (80, 106), (40, 106), (40, 54), (54, 40)], "#b5651d"),
        rect(44, 62, 32, 30, 4, CREAM),
        *fish(62, 77, 0.38, BLUE),
    ]


def herbs():
    return [
        line([(60, 106), (60, 30)], 3.5, INK),
        line([(60, 80), (40, 56)], 3, INK),
        line([(60, 70), (82, 48)], 3, INK),
        leaf(40, 56, 22, 12, -120),
        leaf(40, 56, 22, 12, -170),
        leaf(82, 48, 22, 12, -60),
        leaf(82, 48, 22, 12, -10),
        leaf(60, 32, 22, 12, -90, LEAF_LIGHT),
        leaf(60, 92, 22, 12, 200),
        leaf(60, 88, 22, 12, -20),
    ]


def oil():
    return [
        rect(50, 18, 20, 12, 3, BROWN),
        poly([(52, 30), (68, 30), (68, 44), (82, 58), (82, 104), (38, 104), (38, 58), (52, 44)], "#e3b23c"),
        poly([(60, 62), (70, 78), (66, 88), (54, 88), (50, 78)], "#fff4c2"),
    ]


def essential_oil():
    return [
        rect(50, 20, 20, 22, 6, "#3b2414"),
        rect(40, 42, 40, 62, 10, "#7b4fa0"),
        rect(46, 60, 28, 24, 3, CREAM),
        leaf(60, 80, 18, 9, -60, LEAF),
        leaf(60, 80, 18, 9, -120, LEAF),
        poly([(92, 40), (98, 52), (96, 58), (88, 58), (86, 52)], WATER),
    ]


def crafts():
    body = [(28, 50), (92, 50), (82, 102), (38, 102)]
    return [
        line(arc_points(60, 50, 26, 30, 180, 360, 14), 5, BROWN),
        poly(body, "#c98b45"),
        line([(31, 62), (89, 62)], 3, BROWN),
        line([(34, 76), (86, 76)], 3, BROWN),
        line([(36, 90), (84, 90)], 3, BROWN),
        line([(48, 50), (50, 102)], 3, "#a86a2c"),
        line([(72, 50), (70, 102)], 3, "#a86a2c"),
    ]


def tourism():
    return [
        circle(88, 30, 10, GOLD),
        poly([(8, 96), (40, 44), (64, 80), (80, 60), (112, 96)], "#5c8f6a"),
        poly([(30, 70), (60, 48), (90, 70)], BROWN),
        rect(38, 70, 44, 20, 2, "#c98b45"),
        line([(42, 90), (42, 106)], 3, BROWN),
        line([(78, 90), (78, 106)], 3, BROWN),
        rect(54, 74, 12, 16, 1, "#7a4a22"),
    ]


def sweets():
    return [
        poly([(22, 48), (40, 60), (22, 72)], "#e56b6f"),
        poly([(98, 48), (80, 60), (98, 72)], "#e56b6f"),
        ellipse(60, 60, 24, 18, "#e56b6f"),
        line([(48, 48), (56, 72)], 3, WHITE),
        line([(62, 46), (70, 72)], 3, WHITE),
    ]


def noodles():
    return [
        line([(70, 18), (96, 62)], 3.5, BROWN),
        line([(82, 16), (100, 60)], 3.5, BROWN),
        line(arc_points(60, 62, 32, 10, 180, 360, 8), 3, CREAM),
        *[line([(36 + i * 8, 60), (40 + i * 8, 50), (36 + i * 8, 42)], 3, "#d8c39a") for i in range(6)],
        poly([(20, 62), (100, 62), *arc_points(60, 62, 40, 38, 0, 180, 16)[1:-1]], "#3f7f8c"),
    ]


def chili():
    return [
        poly([(34, 36), (46, 34), (66, 52), (82, 78), (94, 100), (74, 90), (54, 70), (38, 50)], RED),
        leaf(40, 36, 16, 10, -160, LEAF),
        line([(38, 36), (32, 22)], 4, LEAF),
    ]


def vegetables():
    return [
        poly([(44, 40), (76, 40), (64, 104), (58, 104)], "#ef7d22"),
        line([(50, 56), (58, 56)], 2.5, "#c45e0f"),
        line([(62, 72), (68, 72)], 2.5, "#c45e0f"),
        leaf(60, 40, 26, 10, -90),
        leaf(60, 40, 24, 10, -120),
        leaf(60, 40, 24, 10, -60),
    ]


def wine():
    return [
        poly([(40, 30), (64, 30), (60, 40), (76, 56), (76, 98), (28, 98), (28, 56), (44, 40)], "#8c5a3c"),
        rect(40, 22, 24, 10, 3, RED),
        rect(34, 60, 36, 22, 3, CREAM),
        poly([(82, 78), (102, 78), (98, 100), (86, 100)], "#c9e4ee"),
    ]


def meat():
    return [
        ellipse(50, 56, 30, 26, "#c0504d"),
        ellipse(46, 52, 14, 10, "#e89a94"),
        poly([(70, 70), (78, 64), (98, 88), (92, 94)], CREAM),
        circle(98, 92, 7, CREAM),
        circle(92, 98, 7, CREAM),
    ]


def nest():
    return [
        poly([(20, 56), (100, 56), *arc_points(60, 56, 40, 30, 0, 180, 14)[1:-1]], "#e9d7a7"),
        *[line(arc_points(60, 56 + i * 6, 38 - i * 5, 8, 10, 170, 8), 2.5, "#b89a55") for i in range(4)],
        ellipse(60, 56, 40, 8, "#f4e8c8"),
    ]


def nuts():
    return [
        ellipse(76, 66, 20, 24, "#b97a3a"),
        ellipse(44, 66, 18, 26, "#e7c08a"),
        line(arc_points(76, 66, 10, 16, 240, 300, 6), 2.5, "#7a4a22"),
    ]


def coconut():
    return [
        circle(60, 64, 36, "#7a4a22"),
        circle(60, 64, 26, WHITE),
        circle(50, 58, 3.5, "#7a4a22"),
        circle(70, 58, 3.5, "#7a4a22"),
        circle(60, 72, 3.5, "#7a4a22"),
        leaf(60, 26, 34, 12, -160),
        leaf(60, 26, 34, 12, -20),
    ]


def lotus():
    return [
        leaf(60, 96, 56, 26, -90, "#f08fb0"),
        leaf(60, 96, 50, 22, -120, "#e86a98"),
        leaf(60, 96, 50, 22, -60, "#e86a98"),
        leaf(60, 96, 40, 18, -150, "#f5a9c4"),
        leaf(60, 96, 40, 18, -30, "#f5a9c4"),
        ellipse(60, 102, 38, 6, LEAF),
    ]


def milk():
    return [
        rect(48, 18, 24, 10, 3, BLUE),
        poly([(48, 28), (72, 28), (72, 38), (84, 52), (84, 104), (36, 104), (36, 52), (48, 38)], WHITE),
        rect(36, 62, 48, 26, 2, "#cfe5f2"),
        line([(48, 28), (72, 28), (72, 38), (84, 52), (84, 104), (36, 104), (36, 52), (48, 38), (48, 28)], 3, BLUE),
    ]


def eggs():
    return [ellipse(46, 66, 22, 28, "#f3e1c3"), ellipse(76, 72, 20, 25, "#e9c99b"), ellipse(40, 58, 6, 9, WHITE)]


def sugar_cane():
    parts = []
    for x in (40, 60, 80):
        parts.append(rect(x - 6, 20, 12, 86, 4, "#9bbf4f" if x != 60 else "#7aa03a"))
        parts += [line([(x - 6, y), (x + 6, y)], 2.5, "#56702a") for y in (40, 62, 84)]
    return [*parts, leaf(60, 22, 30, 10, -130), leaf(60, 22, 30, 10, -50)]


def cleaning():
    return [
        rect(40, 42, 40, 62, 8, "#4fa3c7"),
        rect(52, 26, 16, 16, 2, WHITE),
        rect(60, 24, 24, 8, 2, WHITE),
        circle(36, 30, 7, "#cfe9f4"),
        circle(26, 44, 5, "#cfe9f4"),
        circle(92, 46, 6, "#cfe9f4"),
        rect(46, 60, 28, 24, 3, WHITE),
    ]


def drink():
    return [
        poly([(34, 32), (86, 32), (78, 104), (42, 104)], "#d2ecf4"),
        poly([(37, 52), (83, 52), (78, 104), (42, 104)], "#e59a3c"),
        line([(66, 104), (76, 22), (92, 16)], 4, RED),
        circle(80, 44, 9, "#f7e36a"),
    ]


def plant():
    return [
        poly([(38, 78), (82, 78), (76, 106), (44, 106)], "#c2683c"),
        line([(60, 78), (60, 40)], 3.5, LEAF),
        leaf(60, 60, 30, 14, -150),
        leaf(60, 54, 30, 14, -30),
        leaf(60, 42, 24, 12, -90, LEAF_LIGHT),
    ]


def food():
    return [
        poly([(22, 58), (98, 58), (88, 100), (32, 100)], "#c98b45"),
        circle(46, 52, 14, RED),
        circle(70, 50, 13, GOLD),
        leaf(58, 40, 22, 10, -70),
        line([(26, 72), (94, 72)], 3, BROWN),
        line([(30, 86), (90, 86)], 3, BROWN),
    ]
