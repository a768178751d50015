"""Layer grids load thumbnails made for their cells, not the full stills."""

from pathlib import Path

from django.urls import reverse
from PIL import Image

from catalog.atlas.models import Channel, Still


def large_still(settings, index: int = 3) -> Still:
    settings.ATLAS_DEFAULT_STILL = {"size": 512, "steps": 8}
    channel = Channel.objects.get(layer__name="block3", index=index)
    still = channel.still_for(channel.spec())
    name = f"stills/large-{index}.png"
    path = Path(settings.MEDIA_ROOT) / name
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.radial_gradient("L").resize((512, 512)).convert("RGB").save(path)
    Still.objects.filter(id=still.id).update(status=Still.DONE, image=name)
    still.refresh_from_db()
    return still


def test_a_layer_grid_shows_a_large_still_as_a_thumbnail_made_for_the_cell(
    client, registered, settings
):
    still = large_still(settings)
    page = client.get(reverse("layer", args=["efficientnet-lite0", "block3"])).content.decode()
    url = reverse("still-thumbnail", args=[still.id])
    assert f'src="{url}"' in page
    response = client.get(url)
    assert response["Content-Type"] == "image/png"
    thumbnail = Path(settings.MEDIA_ROOT) / "thumbs" / "192" / still.image.name
    with Image.open(thumbnail) as image:
        assert image.size == (192, 192)
    assert b"".join(response.streaming_content) == thumbnail.read_bytes()


def test_a_small_still_is_its_own_thumbnail(client, registered, settings):
    channel = Channel.objects.get(layer__name="block3", index=1)
    still = channel.still_for(channel.spec())  # 48 px in the tests
    Still.objects.filter(id=still.id).update(status=Still.DONE, image="stills/small.png")
    page = client.get(reverse("layer", args=["efficientnet-lite0", "block3"])).content.decode()
    assert 'src="/media/stills/small.png"' in page


def test_a_variant_has_no_public_thumbnail(client, registered, settings):
    channel = Channel.objects.get(layer__name="block3", index=2)
    variant = channel.still_for(channel.spec(style="cppn", size=512), origin=Still.VISITOR)
    Still.objects.filter(id=variant.id).update(status=Still.DONE, image="variants/x.png")
    assert client.get(reverse("still-thumbnail", args=[variant.id])).status_code == 404


def test_a_still_downloads_as_a_png_named_for_its_channel(client, registered, settings):
    still = large_still(settings, index=5)
    response = client.get(reverse("still-download", args=[still.id]))
    assert response["Content-Disposition"] == (
        'attachment; filename="efficientnet-lite0-block3-5.png"'
    )
    assert b"".join(response.streaming_content)[:8] == b"\x89PNG\r\n\x1a\n"
