"""The report of a network trained on a corpus: accuracies, confusion matrix, epochs."""

from django.http import Http404
from django.shortcuts import get_object_or_404, render

from catalog.models import Network
from catalog.training import training_report


def training_detail(request, network):
    network = get_object_or_404(Network, name=network)
    report = training_report(network)
    if report is None:
        raise Http404(f"{network.name} was not trained here")
    classes = report["classes"]
    rows = [
        {"label": label, "counts": counts, "total": sum(counts), "right": counts[i]}
        for i, (label, counts) in enumerate(zip(classes, report["confusion"], strict=True))
    ]
    context = {
        "network": network,
        "report": report,
        "rows": rows,
        "logits": network.layers.filter(kind="logits").first(),
    }
    return render(request, "catalog/training.html", context)
