"""Tiny real images the photo tests upload, made with Pillow."""

import io

from PIL import ExifTags, Image

ORIENTATION_ROTATED = 6  # EXIF: the camera was turned; show it turned 90° clockwise


def jpeg_with_location(width: int = 32, height: int = 24) -> bytes:
    """A JPEG carrying a GPS position (Dnipro's centre), a camera model and a
    turned-camera orientation, as a phone's photo does."""
    exif = Image.Exif()
    exif[ExifTags.Base.Model] = "Phone 12"
    exif[ExifTags.Base.Orientation] = ORIENTATION_ROTATED
    exif.get_ifd(ExifTags.IFD.GPSInfo).update({
        ExifTags.GPS.GPSLatitudeRef: "N", ExifTags.GPS.GPSLatitude: (48.0, 27.0, 53.0),
        ExifTags.GPS.GPSLongitudeRef: "E", ExifTags.GPS.GPSLongitude: (35.0, 2.0, 46.0),
    })
    return encode(Image.new("RGB", (width, height), (200, 40, 40)), "JPEG", exif=exif)


def png(width: int = 16, height: int = 16) -> bytes:
    return encode(Image.new("RGBA", (width, height), (0, 120, 200, 255)), "PNG")


def webp(width: int = 16, height: int = 16) -> bytes:
    return encode(Image.new("RGB", (width, height), (0, 160, 60)), "WEBP")


def encode(image, format: str, **options) -> bytes:
    out = io.BytesIO()
    image.save(out, format=format, **options)
    return out.getvalue()


def location_of(data: bytes) -> dict:
    """The GPS tags the image's EXIF holds ({} for none)."""
    with Image.open(io.BytesIO(data)) as image:
        return dict(image.getexif().get_ifd(ExifTags.IFD.GPSInfo))


def exif_of(data: bytes) -> dict:
    with Image.open(io.BytesIO(data)) as image:
        return dict(image.getexif())


def size_of(data: bytes) -> tuple:
    with Image.open(io.BytesIO(data)) as image:
        return image.size
