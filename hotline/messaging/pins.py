"""A shared location pin: the nearest city the hotline knows, and the city waiting for a yes.

A pin answers the registration's "where are you now" only after the person confirms the city
("¿Está en Reynosa?"): a pin can be old, dropped on the wrong spot, or on the US side of a twin
city. The cities are `content/cities.csv` (name, state, centre, radius).

Owns the key `hl:pin:{contact_id}` (the city asked about, until the person answers); imports
core only.

>>> cities = load_cities()
>>> nearest(26.07, -98.31, cities).name  # a street in Reynosa
'Reynosa'
>>> nearest(20.67, -103.35, cities) is None  # Guadalajara: not a city in the table
True
"""

from __future__ import annotations

import csv
import json
import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from redis import Redis

from hotline.config import PROJECT_ROOT

CITIES_FILE = PROJECT_ROOT / "content" / "cities.csv"
KEY = "hl:pin:{}"
# Long enough to answer tomorrow; a pin older than that is asked about again.
TTL = 24 * 3600
EARTH_RADIUS_KM = 6371.0


@dataclass(frozen=True)
class City:
    name: str
    state: str
    latitude: float
    longitude: float
    radius_km: float

    @property
    def answer(self) -> str:
        """The city as the registration form reads a typed answer ("Reynosa, México")."""
        return typed_answer(self.name)


def typed_answer(name: str) -> str:
    # The country, not the state: "Tijuana, Baja California" would read as California, USA.
    return name if "méxico" in name.lower() else f"{name}, México"


@lru_cache(maxsize=4)
def load_cities(path: Path = CITIES_FILE) -> tuple[City, ...]:
    with Path(path).open(encoding="utf-8") as fh:
        rows = csv.DictReader(line for line in fh if not line.startswith("#"))
        return tuple(City(r["name"], r["state"], float(r["latitude"]), float(r["longitude"]),
                          float(r["radius_km"])) for r in rows)


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance.

    >>> round(distance_km(32.5149, -117.0382, 32.6245, -115.4523))  # Tijuana to Mexicali
    149
    """
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def nearest(latitude: float, longitude: float, cities: tuple[City, ...]) -> City | None:
    """The closest city whose radius holds the pin; None when none does (or the pin is not a
    place on Earth)."""
    if not (math.isfinite(latitude) and math.isfinite(longitude)) or abs(latitude) > 90 \
            or abs(longitude) > 180:
        return None
    best = None
    for city in cities:
        d = distance_km(latitude, longitude, city.latitude, city.longitude)
        if d <= city.radius_km and (best is None or d < best[0]):
            best = (d, city)
    return best[1] if best else None


# --- the city waiting for the person's yes -------------------------------------------------
def ask(redis: Redis, contact_id: str, city: City) -> None:
    redis.set(KEY.format(contact_id), json.dumps({"name": city.name, "state": city.state}),
              ex=TTL)


def take(redis: Redis, contact_id: str) -> str | None:
    """The city asked about (as the form reads it), removed: the next message answers it."""
    raw = redis.getdel(KEY.format(contact_id))
    if not raw:
        return None
    return typed_answer(json.loads(raw)["name"])


def forget(redis: Redis, contact_id: str) -> int:
    """Erase the city waiting for a yes; returns how many went (0 or 1)."""
    return redis.delete(KEY.format(contact_id))
