from io import StringIO

from django.core.management import call_command

from catalog.atlas.models import Channel, Still
from tests.conftest import render_inline


def test_it_classifies_stills_rendered_before_the_atlas_did(registered, settings):
    settings.ATLAS_DEFAULT_STILL = {"size": 32, "steps": 2}
    stills = render_inline(Channel.objects.filter(layer__name="block0", index__lt=3))
    Still.objects.filter(id__in=[s.id for s in stills[:2]]).update(
        top_classes=[], puppyslug_index=None
    )
    kept = Still.objects.get(id=stills[2].id).top_classes
    out = StringIO()
    call_command("classify_stills", stdout=out, stderr=StringIO())
    assert "Classified 2 still(s)." in out.getvalue()
    for still in Still.objects.all():
        assert len(still.top_classes) == 5 and still.puppyslug_index is not None
    assert Still.objects.get(id=stills[2].id).top_classes == kept
    call_command("classify_stills", "--all", stdout=out, stderr=StringIO())
    assert "Classified 3 still(s)." in out.getvalue()
