from django.conf import settings


def service(request):
    return {"service_name": settings.POLICYHUB_SERVICE_NAME}
