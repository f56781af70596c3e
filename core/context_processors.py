from django.conf import settings


def service(request):
    return {
        "service_name": settings.POLICYHUB_SERVICE_NAME,
        "force_name": settings.POLICYHUB_FORCE_NAME,
        "force_logo_url": settings.POLICYHUB_FORCE_LOGO_URL,
        "pcu_email": settings.POLICYHUB_PCU_EMAIL,
        "pcu_phone": settings.POLICYHUB_PCU_PHONE,
        "foi_email": settings.POLICYHUB_FOI_EMAIL,
        "foi_address": settings.POLICYHUB_FOI_ADDRESS,
        "foi_url": settings.POLICYHUB_FOI_URL,
    }
