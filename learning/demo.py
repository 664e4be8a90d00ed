"""A sample learning catalogue for development and demonstrations.

Every resource here is invented, marked `is_sample=True` and says so at the start of its summary
and description. Links point at learning.example.nhs.uk, which never resolves. Running
`seed_demo_catalogue()` again brings the sample data back to this table: resources are matched by
slug, records by (person, resource) and comments by (author, resource), and sample resources no
longer in the table are removed. ``seed()`` is the app's demo step, which `seed_demo` runs after
the demo accounts.
"""

from __future__ import annotations

from dataclasses import KW_ONLY, dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from learning.demo_competencies import seed_demo_competency_impact
from learning.models import (
    Comment,
    CommentStatus,
    LearningRecord,
    LearningStatus,
    Level,
    Objective,
    Provider,
    Resource,
    ResourceFormat,
    ResourceStatus,
    Topic,
)
from portal.demo import DemoSection
from portal.models import StaffGroup, User

SAMPLE_SUMMARY_PREFIX = "Sample: "
SAMPLE_DESCRIPTION_PREFIX = (
    "Sample content for demonstration. The provider details, dates and link are invented. "
)
SAMPLE_URL_BASE = "https://learning.example.nhs.uk"
SAMPLE_SLUG_PREFIX = "sample-"

# Providers.
PROGRAMME = "Mind & Body Programme"
ELFH = "NHS England e-Learning for Healthcare"
MAUDSLEY = "Maudsley Learning"
KCL = "King's College London"
HEE = "Health Education England"
RCPSYCH = "Royal College of Psychiatrists"
DIABETES_UK = "Diabetes UK"
TRUST = "Local NHS trust learning and development team"

# Topics.
DIABETES_DEPRESSION = "Diabetes and depression"
SMI_PHYSICAL = "Serious mental illness and physical health"
LTC_ANXIETY = "Long-term conditions and anxiety"
PERSISTENT_SYMPTOMS = "Persistent physical symptoms"
EATING_DISORDERS = "Eating disorders and physical health"
ALCOHOL_DRUGS = "Alcohol, drugs and physical health"
DEMENTIA_DELIRIUM = "Dementia and delirium"
PERINATAL = "Perinatal mental health"
PAIN_MOOD = "Chronic pain and mood"
CVD_DEPRESSION = "Cardiovascular disease and depression"
RESPIRATORY_ANXIETY = "Respiratory disease and anxiety"
CANCER = "Cancer and psychological support"
SELF_HARM = "Self-harm and physical health"
STIGMA = "Stigma and diagnostic overshadowing"
STAFF_WELLBEING = "Staff wellbeing"
CO_PRODUCTION = "Co-production and lived experience"
COMMUNICATION = "Communication skills"
YOUNG_PEOPLE = "Children and young people"

# Places for face-to-face learning.
GUYS = "Guy's Hospital, London"
ST_THOMAS = "St Thomas' Hospital, London"
KINGS = "King's College Hospital, Denmark Hill, London"
MAUDSLEY_HOSPITAL = "Maudsley Hospital, Denmark Hill, London"
BETHLEM = "Bethlem Royal Hospital, Beckenham"
GUYS_CAMPUS = "Guy's Campus, King's College London"
PRESCOT_STREET = "Royal College of Psychiatrists, 21 Prescot Street, London"

NURSING = StaffGroup.NURSING_MIDWIFERY_REGISTERED
MEDICAL = StaffGroup.MEDICAL_DENTAL
AHP = StaffGroup.ALLIED_HEALTH_PROFESSIONALS
PSYCHOLOGY = StaffGroup.ADD_PROF_SCIENTIFIC_TECHNICAL
SUPPORT_WORKERS = StaffGroup.ADDITIONAL_CLINICAL_SERVICES
ADMIN = StaffGroup.ADMINISTRATIVE_CLERICAL
ESTATES = StaffGroup.ESTATES_ANCILLARY
STUDENTS = StaffGroup.STUDENTS

F = ResourceFormat
DAY = 7 * 60  # minutes of learning in a training day


@dataclass(frozen=True)
class SampleResource:
    """One row of the sample catalogue. `review_in_days` is from today; negative is overdue."""

    title: str
    provider: str
    format: ResourceFormat
    _: KW_ONLY
    level: int
    objectives: tuple[int, ...]
    topics: tuple[str, ...]
    minutes: int
    summary: str
    description: str
    cpd_hours: str | None = None
    cost_pence: int = 0
    location: str = ""  # empty means online
    accredited: bool = False
    co_produced: bool = False
    staff_groups: tuple[str, ...] = ()
    status: ResourceStatus = ResourceStatus.PUBLISHED
    review_in_days: int = 270

    @property
    def slug(self) -> str:
        return SAMPLE_SLUG_PREFIX + slugify(self.title)


# The table is laid out by hand, a few facts to a line, so it reads as a table.
# fmt: off
SAMPLE_RESOURCES = (
    # Level 1: everyone who works with us.
    SampleResource(
        "Mind and body care: an introduction for everyone",
        PROGRAMME, F.E_LEARNING, level=1, objectives=(1, 2, 3), topics=(STIGMA,), minutes=30,
        cpd_hours="0.5",
        summary="A short module on why physical and mental health needs so often go together, "
                "and what every member of staff can do about it.",
        description="It covers how common it is to live with both physical and mental health "
                    "conditions, and how this shortens lives. Patients and staff describe, in "
                    "their own words, care that joined up and care that did not. It ends with a "
                    "short quiz and a certificate.",
    ),
    SampleResource(
        "Diagnostic overshadowing: seeing the whole person",
        ELFH, F.E_LEARNING, level=1, objectives=(1, 2), topics=(STIGMA, SMI_PHYSICAL), minutes=20,
        cpd_hours="0.5",
        summary="Learn how a mental health diagnosis can hide a physical illness, and the simple "
                "questions that stop it happening.",
        description="Through three short case stories, you will see how chest pain, sepsis and a "
                    "fracture were missed because symptoms were put down to mental illness. Each "
                    "story ends with what the staff involved would now do differently.",
    ),
    SampleResource(
        "Talking about mental health at work: a 10-minute guide",
        TRUST, F.READING, level=1, objectives=(1, 6), topics=(STAFF_WELLBEING, COMMUNICATION),
        minutes=10,
        summary="A plain-English guide to starting a conversation with a colleague who seems to "
                "be struggling.",
        description="It gives words you can use, what to avoid saying, and where to point "
                    "someone for help, including the staff Resilience Hub. It fits on two "
                    "printed pages for a staff room.",
    ),
    SampleResource(
        "Mind and body in 15 minutes: podcast series",
        PROGRAMME, F.PODCAST, level=1, objectives=(1, 3), topics=(STIGMA, CO_PRODUCTION),
        minutes=15, co_produced=True,
        summary="Short conversations between clinicians and people with lived experience about "
                "joined-up care.",
        description="Each episode takes one condition, such as diabetes or psychosis, and asks "
                    "what made the biggest difference to the person's care. Listen on your "
                    "commute or during a break; transcripts are available.",
    ),
    SampleResource(
        "Supporting someone with diabetes and depression: a short film",
        DIABETES_UK, F.VIDEO, level=1, objectives=(1, 2), topics=(DIABETES_DEPRESSION,),
        minutes=12,
        summary="A 12-minute film about living with type 2 diabetes and depression, and how "
                "small actions by staff helped.",
        description="A man in his fifties describes how low mood made it hard to manage his "
                    "blood sugar, and how a receptionist, a practice nurse and a pharmacist each "
                    "made a difference. Suitable for team meetings.",
    ),
    SampleResource(
        "Mind and body care for reception and administrative staff",
        TRUST, F.VIRTUAL, level=1, objectives=(1, 3, 6), topics=(STIGMA, COMMUNICATION),
        minutes=90, cpd_hours="1.5", staff_groups=(ADMIN, ESTATES),
        summary="A live online session for staff who are often the first person a patient speaks "
                "to.",
        description="It covers noticing when someone is distressed, responding kindly on the "
                    "phone and at the desk, and keeping yourself well afterwards. There is time "
                    "for questions from your own work.",
    ),
    SampleResource(
        "Lived experience voices: living with a long-term condition and anxiety",
        PROGRAMME, F.VIDEO, level=1, objectives=(1, 7), topics=(LTC_ANXIETY, CO_PRODUCTION),
        minutes=25, cpd_hours="0.5", co_produced=True,
        summary="Four people living with asthma, arthritis, kidney disease and Crohn's disease "
                "talk about anxiety and care.",
        description="The film was made with the people who appear in it, who chose what to say. "
                    "It shows how anxiety affects managing a long-term condition, and what "
                    "helped them feel listened to.",
    ),
    SampleResource(
        "Looking after your own mind and body: a staff toolkit",
        TRUST, F.TOOLKIT, level=1, objectives=(3, 6), topics=(STAFF_WELLBEING,), minutes=30,
        summary="Practical tools for staff to look after their own physical and mental health at "
                "work.",
        description="It includes a wellbeing plan template, breathing and grounding exercises, "
                    "and advice on sleep after night shifts. It also lists the support available "
                    "to staff, from occupational health to the Resilience Hub.",
    ),
    SampleResource(
        "Mind and body essentials for students",
        KCL, F.E_LEARNING, level=1, objectives=(4, 1), topics=(STIGMA,), minutes=45,
        cpd_hours="1.0", staff_groups=(STUDENTS,),
        summary="An introduction to integrated care for nursing, medical and allied health "
                "students before their first placement.",
        description="It explains why people with severe mental illness die earlier, and what "
                    "students can notice and ask about on placement. It is built into several "
                    "university courses and counts towards placement learning hours.",
    ),
    SampleResource(
        "Dementia awareness for all staff",
        ELFH, F.E_LEARNING, level=1, objectives=(1, 2), topics=(DEMENTIA_DELIRIUM,), minutes=40,
        cpd_hours="1.0",
        summary="The basics of dementia and delirium, and how to support a person who is "
                "confused or frightened.",
        description="It explains the difference between dementia and delirium, and why a sudden "
                    "change in someone's confusion is an emergency. It meets Tier 1 of the "
                    "Dementia Training Standards Framework.",
    ),
    SampleResource(
        "Perinatal mental health awareness",
        HEE, F.E_LEARNING, level=1, objectives=(2, 4), topics=(PERINATAL,), minutes=30,
        cpd_hours="0.5",
        summary="How pregnancy and the year after birth can affect mental health, and the "
                "warning signs every member of staff should know.",
        description="It covers common conditions such as anxiety and depression, and rare "
                    "emergencies such as postpartum psychosis. It explains how to help a parent "
                    "get support quickly.",
    ),
    SampleResource(
        "Making every contact count: alcohol and smoking conversations",
        ELFH, F.E_LEARNING, level=1, objectives=(2, 5), topics=(ALCOHOL_DRUGS,), minutes=45,
        cpd_hours="1.0", review_in_days=-21,
        summary="How to use everyday contacts with patients to talk briefly about alcohol, "
                "smoking and wellbeing.",
        description="You will practise opening a conversation, giving very brief advice and "
                    "signposting to local services. Developed with local public health teams.",
    ),
    SampleResource(
        "Introduction to co-production in training",
        PROGRAMME, F.VIRTUAL, level=1, objectives=(7, 5), topics=(CO_PRODUCTION,), minutes=120,
        cpd_hours="2.0", co_produced=True,
        summary="What co-production means, and how people with lived experience can shape the "
                "training you design or deliver.",
        description="Delivered jointly by a trainer and an expert by experience. It covers fair "
                    "payment, safe sharing of personal stories and how to share power in "
                    "planning.",
    ),
    SampleResource(
        "Persistent physical symptoms: an awareness session for all staff",
        MAUDSLEY, F.VIRTUAL, level=1, objectives=(1, 2), topics=(PERSISTENT_SYMPTOMS,), minutes=60,
        cpd_hours="1.0", status=ResourceStatus.DRAFT,
        summary="An introduction to persistent physical symptoms, sometimes called medically "
                "unexplained symptoms.",
        description="It explains why symptoms are real even without a clear cause, and how the "
                    "words staff use can help or harm. Draft: the expert by experience is still "
                    "reviewing the slides.",
    ),
    SampleResource(
        "Where to find mind and body support: a directory for staff",
        PROGRAMME, F.TOOLKIT, level=1, objectives=(3, 8), topics=(STAFF_WELLBEING,), minutes=15,
        review_in_days=-45,
        summary="A directory of local services, helplines and learning for staff working with "
                "mind and body.",
        description="Search by borough, condition or type of support. Teams are asked to tell us "
                    "when details change, so the directory stays useful.",
    ),
    SampleResource(
        "Mind and body care on the ward: a guide for healthcare support workers",
        TRUST, F.READING, level=1, objectives=(2, 3), topics=(SMI_PHYSICAL, COMMUNICATION),
        minutes=20, staff_groups=(SUPPORT_WORKERS,),
        summary="A guide for healthcare assistants and support workers on noticing physical and "
                "mental health needs during everyday care.",
        description="It covers observations, eating and drinking, sleep and mood, and when to "
                    "tell the nurse in charge. Includes a pocket card to print.",
    ),
    # Level 2: clinical staff who sometimes care for people with both needs.
    SampleResource(
        "Diabetes and depression: recognising and responding",
        DIABETES_UK, F.E_LEARNING, level=2, objectives=(2, 4), topics=(DIABETES_DEPRESSION,),
        minutes=60, cpd_hours="1.0", accredited=True, staff_groups=(NURSING, MEDICAL, AHP),
        summary="How to recognise depression and diabetes distress in people with diabetes, and "
                "what to do next.",
        description="It covers the two-question screen, diabetes distress, and how low mood "
                    "affects self-management. It ends with how to refer to NHS Talking Therapies "
                    "for long-term conditions.",
    ),
    SampleResource(
        "Serious mental illness: physical health checks in practice",
        ELFH, F.E_LEARNING, level=2, objectives=(2, 4), topics=(SMI_PHYSICAL,), minutes=90,
        cpd_hours="1.5", staff_groups=(NURSING, MEDICAL), review_in_days=-10,
        summary="How to carry out and act on the annual physical health check for people with "
                "serious mental illness.",
        description="It covers blood pressure, weight, blood glucose and lipids, smoking and "
                    "alcohol, and what each result means for care. Short videos show checks done "
                    "well in a community team.",
    ),
    SampleResource(
        "Long-term conditions and anxiety: brief interventions",
        MAUDSLEY, F.VIRTUAL, level=2, objectives=(2, 3), topics=(LTC_ANXIETY,), minutes=180,
        cpd_hours="3.0", cost_pence=4500,
        summary="Brief, practical ways to help patients whose anxiety makes a long-term "
                "condition harder to manage.",
        description="You will learn to spot health anxiety and avoidance, and to use simple "
                    "techniques such as graded activity and worry time. Three hours live online, "
                    "in small groups.",
    ),
    SampleResource(
        "Persistent physical symptoms: first conversations",
        MAUDSLEY, F.FACE_TO_FACE, level=2, objectives=(2, 7),
        topics=(PERSISTENT_SYMPTOMS, COMMUNICATION), minutes=1 * DAY, cpd_hours="6.0",
        cost_pence=12000, location=MAUDSLEY_HOSPITAL, co_produced=True,
        summary="A one-day course on explaining persistent physical symptoms to patients in a "
                "way that builds trust.",
        description="Co-delivered with people who live with persistent symptoms. You will "
                    "practise explanations and plans with actors, and leave with a model for "
                    "your next clinic.",
    ),
    SampleResource(
        "Eating disorders and physical health: medical emergencies guidance in practice",
        RCPSYCH, F.VIRTUAL, level=2, objectives=(2, 4), topics=(EATING_DISORDERS,), minutes=150,
        cpd_hours="2.5", cost_pence=6000, accredited=True,
        summary="How to recognise and manage medical risk in people with eating disorders, using "
                "national guidance.",
        description="It covers physical risk assessment, refeeding syndrome and when to admit. "
                    "Case discussions cover adults and young people in emergency and general "
                    "hospital settings.",
    ),
    SampleResource(
        "Alcohol, drugs and physical health: identification and brief advice",
        ELFH, F.E_LEARNING, level=2, objectives=(2, 5), topics=(ALCOHOL_DRUGS,), minutes=60,
        cpd_hours="1.0",
        summary="How to screen for risky drinking and drug use, and give brief advice that "
                "works.",
        description="It covers the AUDIT-C tool, withdrawal risks in hospital, and the physical "
                    "harms of common drugs. It links to local alcohol care teams and community "
                    "services.",
    ),
    SampleResource(
        "Delirium: spot it, stop it, support recovery",
        TRUST, F.FACE_TO_FACE, level=2, objectives=(2, 5), topics=(DEMENTIA_DELIRIUM,),
        minutes=210, cpd_hours="3.5", location=ST_THOMAS,
        staff_groups=(NURSING, SUPPORT_WORKERS, AHP),
        summary="A half-day course on preventing, recognising and managing delirium on general "
                "wards.",
        description="It uses the 4AT assessment and a simulated patient to practise. Carers of "
                    "people who have had delirium talk about what helped them.",
    ),
    SampleResource(
        "Perinatal mental health and physical health in pregnancy",
        HEE, F.VIRTUAL, level=2, objectives=(2, 4), topics=(PERINATAL,), minutes=120,
        cpd_hours="2.0", staff_groups=(NURSING, MEDICAL),
        summary="How physical conditions in pregnancy, such as diabetes and hyperemesis, "
                "interact with mental health.",
        description="For midwives, obstetricians, health visitors and GPs. It covers joint care "
                    "planning with perinatal mental health teams and how to ask about mood at "
                    "every contact.",
    ),
    SampleResource(
        "Chronic pain and mood: talking with patients about pain and low mood",
        KCL, F.VIDEO, level=2, objectives=(2, 1), topics=(PAIN_MOOD, COMMUNICATION), minutes=35,
        cpd_hours="0.5",
        summary="Filmed consultations showing how to talk about low mood with someone living "
                "with chronic pain.",
        description="Each film is followed by a short commentary from a pain specialist and a "
                    "psychologist. It shows how to avoid suggesting that pain is 'all in the "
                    "mind'.",
    ),
    SampleResource(
        "Cardiovascular disease and depression: screening in cardiac rehabilitation",
        TRUST, F.VIRTUAL, level=2, objectives=(2, 5), topics=(CVD_DEPRESSION,), minutes=90,
        cpd_hours="1.5", staff_groups=(AHP, NURSING),
        summary="How to screen for depression and anxiety after a heart attack or heart surgery, "
                "and who to refer to.",
        description="It covers the PHQ-9 and GAD-7, how low mood affects recovery, and joint "
                    "working with NHS Talking Therapies. Developed with the local cardiac "
                    "rehabilitation network.",
    ),
    SampleResource(
        "Breathlessness and anxiety in COPD",
        ELFH, F.E_LEARNING, level=2, objectives=(2, 3), topics=(RESPIRATORY_ANXIETY, LTC_ANXIETY),
        minutes=45, cpd_hours="1.0", staff_groups=(AHP, NURSING),
        summary="How breathlessness and anxiety feed each other in COPD, and simple ways to "
                "break the cycle.",
        description="It covers breathing techniques, pacing and the "
                    "breathing-thinking-functioning model. Useful for respiratory teams, "
                    "physiotherapists and community nurses.",
    ),
    SampleResource(
        "Psychological support for people living with cancer",
        KCL, F.VIRTUAL, level=2, objectives=(2, 6), topics=(CANCER,), minutes=180, cpd_hours="3.0",
        status=ResourceStatus.IN_REVIEW,
        summary="Level 2 psychological support skills for staff caring for people with cancer.",
        description="It covers recognising distress, the distress thermometer, and when to refer "
                    "to psycho-oncology. In review: the curator is checking it against the "
                    "latest cancer psychological support framework.",
    ),
    SampleResource(
        "Antipsychotics, weight gain and metabolic health: a monitoring guide",
        RCPSYCH, F.READING, level=2, objectives=(2, 4), topics=(SMI_PHYSICAL,), minutes=30,
        cpd_hours="0.5", review_in_days=-90,
        summary="A guide to monitoring and reducing the metabolic side effects of antipsychotic "
                "medicines.",
        description="It sets out which checks to do and when, what results should prompt action, "
                    "and how to talk with people about weight without blame.",
    ),
    SampleResource(
        "Self-harm and physical health in emergency departments",
        HEE, F.E_LEARNING, level=2, objectives=(2, 1), topics=(SELF_HARM,), minutes=60,
        cpd_hours="1.0", staff_groups=(NURSING, MEDICAL),
        summary="How to give compassionate physical and psychological care to people who have "
                "harmed themselves.",
        description="It covers wound care and overdose management alongside psychosocial "
                    "assessment. People with lived experience describe what made emergency care "
                    "feel safe.",
    ),
    SampleResource(
        "Mind and body in primary care: a toolkit for practice teams",
        PROGRAMME, F.TOOLKIT, level=2, objectives=(3, 5),
        topics=(DIABETES_DEPRESSION, LTC_ANXIETY), minutes=45, cpd_hours="1.0",
        summary="Templates, pathways and patient leaflets for GP practices joining up physical "
                "and mental health care.",
        description="It includes a long-term condition review template with mood questions, "
                    "local referral routes and a practice audit tool. Made with local primary "
                    "care networks.",
    ),
    SampleResource(
        "Co-produced case studies: mind and body care in the community",
        PROGRAMME, F.READING, level=2, objectives=(7, 2), topics=(CO_PRODUCTION,), minutes=40,
        cpd_hours="0.5", co_produced=True,
        summary="Six case studies written with service users about community care for physical "
                "and mental health.",
        description="Each case study has the person's own account beside the clinical one, and "
                    "questions for team reflection.",
    ),
    SampleResource(
        "Compassionate conversations: communication skills for mind and body care",
        TRUST, F.FACE_TO_FACE, level=2, objectives=(1, 6), topics=(COMMUNICATION,), minutes=390,
        cpd_hours="6.5", location=GUYS, co_produced=True,
        summary="A one-day course on difficult conversations where physical and mental health "
                "meet.",
        description="You will practise with actors and experts by experience, including breaking "
                    "bad news and talking about suicide risk. Free to staff of partner "
                    "organisations.",
    ),
    SampleResource(
        "Mind and body reflective practice groups",
        TRUST, F.VIRTUAL, level=2, objectives=(6, 3), topics=(STAFF_WELLBEING,), minutes=60,
        cpd_hours="1.0", status=ResourceStatus.ARCHIVED,
        summary="Monthly facilitated groups to reflect on the emotional impact of mind and body "
                "care.",
        description="Archived: these groups have moved into the staff Resilience Hub programme.",
    ),
    SampleResource(
        "Podcast: diabetes distress in young adults",
        DIABETES_UK, F.PODCAST, level=2, objectives=(2, 7),
        topics=(DIABETES_DEPRESSION, YOUNG_PEOPLE), minutes=35, co_produced=True,
        staff_groups=(NURSING, MEDICAL, PSYCHOLOGY),
        summary="Young adults with type 1 diabetes talk about burnout, mood and moving to adult "
                "services.",
        description="Made with a young people's advisory group. A diabetes nurse specialist and "
                    "a clinical psychologist discuss what services can change.",
    ),
    # Level 3: clinical staff who regularly care for people with both needs.
    SampleResource(
        "Postgraduate Certificate in Mind and Body Care",
        KCL, F.QUALIFICATION, level=3, objectives=(4, 5, 8),
        topics=(SMI_PHYSICAL, LTC_ANXIETY, PERSISTENT_SYMPTOMS), minutes=150 * 60,
        cpd_hours="150.0", cost_pence=450000, location=GUYS_CAMPUS, accredited=True,
        staff_groups=(NURSING, MEDICAL, AHP, PSYCHOLOGY),
        summary="A part-time, one-year postgraduate certificate in integrated physical and "
                "mental health care.",
        description="Three modules cover the evidence for integrated care, assessment and "
                    "intervention, and leading service change. Teaching days are on campus, with "
                    "online study between. Some funded places are available through the Mind & "
                    "Body Programme.",
    ),
    SampleResource(
        "Integrated care for persistent physical symptoms: advanced practice",
        MAUDSLEY, F.FACE_TO_FACE, level=3, objectives=(2, 4, 7), topics=(PERSISTENT_SYMPTOMS,),
        minutes=3 * DAY, cpd_hours="21.0", cost_pence=45000, location=MAUDSLEY_HOSPITAL,
        accredited=True, co_produced=True,
        summary="A three-day course in assessment and treatment for people with persistent "
                "physical symptoms.",
        description="It covers formulation, graded activity and working across medical and "
                    "psychological teams. Co-designed and co-delivered with people with lived "
                    "experience.",
    ),
    SampleResource(
        "CBT for long-term conditions: skills workshop",
        MAUDSLEY, F.FACE_TO_FACE, level=3, objectives=(2, 4), topics=(LTC_ANXIETY, PAIN_MOOD),
        minutes=2 * DAY, cpd_hours="14.0", cost_pence=32000, location=BETHLEM, accredited=True,
        staff_groups=(PSYCHOLOGY, NURSING, AHP),
        summary="A two-day workshop adapting cognitive behavioural therapy for people with "
                "long-term physical conditions.",
        description="For psychological practitioners and clinicians with CBT training. It covers "
                    "adapting formulation, fatigue and pain, and working alongside medical "
                    "teams.",
    ),
    SampleResource(
        "Leading mind and body change in your service",
        PROGRAMME, F.VIRTUAL, level=3, objectives=(5, 8, 6), topics=(STIGMA,), minutes=720,
        cpd_hours="12.0",
        summary="Four half-day sessions for clinical leads planning integrated care in their "
                "service.",
        description="You will map your service, choose one change to test, and bring data back "
                    "to the group. Leads from partner organisations share what kept their "
                    "changes going.",
    ),
    SampleResource(
        "Serious mental illness and physical health: leading improvement",
        RCPSYCH, F.FACE_TO_FACE, level=3, objectives=(2, 5, 8), topics=(SMI_PHYSICAL,),
        minutes=1 * DAY, cpd_hours="6.0", cost_pence=18000, location=PRESCOT_STREET,
        accredited=True,
        summary="A one-day course for leads improving physical health care in mental health "
                "services.",
        description="It covers quality improvement methods, audit against national standards, "
                    "and working with primary care. Each participant leaves with an improvement "
                    "plan.",
    ),
    SampleResource(
        "Eating disorders and physical health: medical risk masterclass",
        RCPSYCH, F.VIRTUAL, level=3, objectives=(2, 4), topics=(EATING_DISORDERS,), minutes=240,
        cpd_hours="4.0", cost_pence=9500, accredited=True, staff_groups=(MEDICAL, NURSING),
        summary="An advanced masterclass on managing high medical risk in severe eating "
                "disorders.",
        description="For psychiatrists, physicians and specialist nurses. It covers complex "
                    "refeeding, legal frameworks and joint care between medical and psychiatric "
                    "teams.",
    ),
    SampleResource(
        "Perinatal mental health: specialist practitioner programme",
        HEE, F.QUALIFICATION, level=3, objectives=(4, 2, 8), topics=(PERINATAL,), minutes=10 * DAY,
        cpd_hours="70.0", location=KINGS, accredited=True,
        staff_groups=(NURSING, MEDICAL, PSYCHOLOGY),
        summary="A funded ten-day programme for practitioners joining specialist perinatal "
                "mental health teams.",
        description="It covers assessment, prescribing in pregnancy and breastfeeding, and "
                    "physical health in the perinatal period. It leads to a recognised "
                    "competency certificate.",
    ),
    SampleResource(
        "Teaching mind and body: train the trainer",
        PROGRAMME, F.FACE_TO_FACE, level=3, objectives=(4, 8, 7), topics=(CO_PRODUCTION,),
        minutes=2 * DAY, cpd_hours="14.0", location=GUYS, co_produced=True,
        summary="A two-day course for staff who will teach mind and body care to their own "
                "teams.",
        description="You will learn to deliver the programme's Level 1 and 2 sessions with an "
                    "expert by experience. Trainers join a network that keeps the training "
                    "running.",
    ),
    SampleResource(
        "Alcohol-related liver disease and mental health: joint care pathways",
        TRUST, F.VIRTUAL, level=3, objectives=(5, 2), topics=(ALCOHOL_DRUGS,), minutes=120,
        cpd_hours="2.0", status=ResourceStatus.IN_REVIEW,
        summary="How hepatology, addiction and mental health teams can plan care together.",
        description="It presents a joint pathway and case reviews. In review: waiting for "
                    "sign-off from the alcohol care team.",
    ),
    SampleResource(
        "Diabetes and serious mental illness: specialist consultation skills",
        DIABETES_UK, F.VIRTUAL, level=3, objectives=(2, 5),
        topics=(DIABETES_DEPRESSION, SMI_PHYSICAL), minutes=180, cpd_hours="3.0", cost_pence=7500,
        accredited=True,
        summary="Consultation skills for diabetes specialists working with people with serious "
                "mental illness.",
        description="It covers adapting education and goals, medicines that affect glucose, and "
                    "joint reviews with mental health teams.",
    ),
    SampleResource(
        "Psychological care in cardiac rehabilitation",
        KCL, F.E_LEARNING, level=3, objectives=(2, 4), topics=(CVD_DEPRESSION,), minutes=240,
        cpd_hours="4.0", staff_groups=(AHP, NURSING, PSYCHOLOGY),
        summary="An advanced module on delivering psychological interventions within cardiac "
                "rehabilitation.",
        description="It covers stepped care, motivational interviewing and managing fear of "
                    "activity after a cardiac event.",
    ),
    SampleResource(
        "Evaluating mind and body training: a toolkit for educators",
        PROGRAMME, F.TOOLKIT, level=3, objectives=(8, 4, 5), topics=(CO_PRODUCTION,), minutes=60,
        cpd_hours="1.0",
        summary="Tools to evaluate the impact of mind and body training and make the case for "
                "funding.",
        description="It includes survey templates, an outcomes framework and examples of "
                    "business cases that secured recurrent funding.",
    ),
    SampleResource(
        "Working with experts by experience: co-delivering training",
        PROGRAMME, F.VIRTUAL, level=3, objectives=(7, 6), topics=(CO_PRODUCTION,), minutes=150,
        cpd_hours="2.5", co_produced=True, status=ResourceStatus.DRAFT,
        summary="How to plan and co-deliver training with experts by experience as equal "
                "partners.",
        description="Draft: dates for the next cohort are being agreed with the lived experience "
                    "advisory group.",
    ),
    SampleResource(
        "Delirium and dementia in acute care: advanced assessment",
        ELFH, F.E_LEARNING, level=3, objectives=(2, 4), topics=(DEMENTIA_DELIRIUM,), minutes=120,
        cpd_hours="2.0", status=ResourceStatus.ARCHIVED,
        summary="Advanced assessment and management of delirium superimposed on dementia.",
        description="Archived: replaced by the new Tier 3 dementia programme.",
    ),
    SampleResource(
        "Funding your mind and body training: a guide for service leads",
        HEE, F.READING, level=3, objectives=(8, 5), topics=(STAFF_WELLBEING,), minutes=20,
        review_in_days=-30,
        summary="Where to find funding and backfill for mind and body training, and how to "
                "apply.",
        description="It covers workforce development funds, charitable grants and partnership "
                    "bids, with examples from local services.",
    ),
)
# fmt: on


@dataclass(frozen=True)
class SampleRecord:
    email: str
    slug: str  # without the "sample-" prefix
    status: LearningStatus
    completed_days_ago: int | None = None
    hours: str | None = None
    reflection: str = ""


S, P, C = LearningStatus.SAVED, LearningStatus.IN_PROGRESS, LearningStatus.COMPLETED
# Demo accounts from portal.demo; any that do not exist are skipped.
STAFF = "staff@demo.nhs.net"
TEAM_LEAD = "teamlead@demo.nhs.net"
CLINICIAN = "clinician@demo.nhs.net"
HUB_LEAD = "hublead@demo.nhs.net"
CURATOR = "curator@demo.nhs.net"

SAMPLE_RECORDS = (
    SampleRecord(
        STAFF,
        "mind-and-body-care-an-introduction-for-everyone",
        C,
        60,
        "0.5",
        "A good reminder that mental illness can hide physical illness. I now ask every patient "
        "with a mental health diagnosis about new physical symptoms.",
    ),
    SampleRecord(STAFF, "dementia-awareness-for-all-staff", C, 41, "1.0"),
    SampleRecord(
        STAFF,
        "serious-mental-illness-physical-health-checks-in-practice",
        C,
        14,
        "1.5",
        "I shared the checklist with the ward team and we added it to our admission bundle.",
    ),
    SampleRecord(STAFF, "delirium-spot-it-stop-it-support-recovery", C, 7, "3.5"),
    SampleRecord(STAFF, "diabetes-and-depression-recognising-and-responding", P),
    SampleRecord(STAFF, "breathlessness-and-anxiety-in-copd", P),
    SampleRecord(
        STAFF, "compassionate-conversations-communication-skills-for-mind-and-body-care", S
    ),
    SampleRecord(STAFF, "perinatal-mental-health-and-physical-health-in-pregnancy", S),
    SampleRecord(STAFF, "postgraduate-certificate-in-mind-and-body-care", S),
    SampleRecord(
        TEAM_LEAD,
        "cardiovascular-disease-and-depression-screening-in-cardiac-rehabilitation",
        C,
        30,
        "1.5",
    ),
    SampleRecord(TEAM_LEAD, "leading-mind-and-body-change-in-your-service", P),
    SampleRecord(
        TEAM_LEAD, "integrated-care-for-persistent-physical-symptoms-advanced-practice", S
    ),
    SampleRecord(CLINICIAN, "cbt-for-long-term-conditions-skills-workshop", C, 120, "14.0"),
    SampleRecord(
        CLINICIAN,
        "integrated-care-for-persistent-physical-symptoms-advanced-practice",
        C,
        75,
        "21.0",
        "The co-delivered sessions changed how I explain symptoms in the first appointment.",
    ),
    SampleRecord(CLINICIAN, "teaching-mind-and-body-train-the-trainer", P),
    SampleRecord(CLINICIAN, "postgraduate-certificate-in-mind-and-body-care", S),
    SampleRecord(
        HUB_LEAD, "serious-mental-illness-and-physical-health-leading-improvement", C, 200, "6.0"
    ),
    SampleRecord(HUB_LEAD, "leading-mind-and-body-change-in-your-service", S),
    SampleRecord(CURATOR, "evaluating-mind-and-body-training-a-toolkit-for-educators", S),
)


@dataclass(frozen=True)
class SampleComment:
    email: str
    slug: str  # without the "sample-" prefix
    rating: int
    body: str
    status: CommentStatus = CommentStatus.PUBLISHED


SAMPLE_COMMENTS = (
    SampleComment(
        STAFF,
        "mind-and-body-care-an-introduction-for-everyone",
        5,
        "Short and to the point. The patient stories made it stick, and I did it on my break.",
    ),
    SampleComment(
        TEAM_LEAD,
        "cardiovascular-disease-and-depression-screening-in-cardiac-rehabilitation",
        4,
        "Useful for the whole rehab team. I would have liked more time on referral routes.",
    ),
    SampleComment(
        CLINICIAN,
        "cbt-for-long-term-conditions-skills-workshop",
        5,
        "Practical and well paced. The fatigue session was the best I have attended.",
    ),
    SampleComment(
        HUB_LEAD,
        "serious-mental-illness-and-physical-health-leading-improvement",
        4,
        "Good on audit and improvement methods. Bring your own service data if you can.",
    ),
    SampleComment(
        STAFF,
        "serious-mental-illness-physical-health-checks-in-practice",
        4,
        "Clear videos. The section on lipids could link to the local guidance.",
        CommentStatus.PENDING,
    ),
)


@dataclass(frozen=True)
class DemoCatalogueSummary:
    """Totals of sample content after seeding: the same on every run of the same table."""

    resources: int
    published: int
    providers: int
    topics: int
    learning_records: int
    comments: int
    pending_comments: int

    def lines(self) -> list[str]:
        return [
            f"  Sample resources: {self.resources} ({self.published} published)",
            f"  Providers: {self.providers}; topics: {self.topics}",
            f"  Learning records for demo accounts: {self.learning_records}",
            f"  Comments: {self.comments} ({self.pending_comments} waiting for moderation)",
        ]


def _at_nine(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(9, 0)))


def _seed_resources(today: date, curator: User | None) -> dict[str, Resource]:
    providers = {
        name: Provider.objects.update_or_create(slug=slugify(name), defaults={"name": name})[0]
        for name in sorted({sample.provider for sample in SAMPLE_RESOURCES})
    }
    topics = {
        name: Topic.objects.update_or_create(slug=slugify(name), defaults={"name": name})[0]
        for name in sorted({topic for sample in SAMPLE_RESOURCES for topic in sample.topics})
    }
    objectives = {objective.number: objective for objective in Objective.objects.all()}
    resources = {}
    for index, sample in enumerate(SAMPLE_RESOURCES):
        # Spread publication over the last year, newest last in the table.
        published_on = today - timedelta(days=365 - 7 * index)
        is_published = sample.status in (ResourceStatus.PUBLISHED, ResourceStatus.ARCHIVED)
        resource, _ = Resource.objects.update_or_create(
            slug=sample.slug,
            defaults={
                "title": sample.title,
                "summary": SAMPLE_SUMMARY_PREFIX + sample.summary,
                "description": SAMPLE_DESCRIPTION_PREFIX + sample.description,
                "provider": providers[sample.provider],
                "format": sample.format,
                "level": Level(sample.level),
                "staff_groups": list(sample.staff_groups),
                "duration_minutes": sample.minutes,
                "cost_pence": sample.cost_pence,
                "is_online": not sample.location,
                "location": sample.location,
                "url": f"{SAMPLE_URL_BASE}/{providers[sample.provider].slug}/{sample.slug}",
                "cpd_hours": Decimal(sample.cpd_hours) if sample.cpd_hours else None,
                "accredited": sample.accredited,
                "co_produced": sample.co_produced,
                "is_sample": True,
                "status": sample.status,
                "status_changed_at": _at_nine(published_on),
                "status_changed_by": curator,
                "owner": curator,
                "published_at": _at_nine(published_on) if is_published else None,
                "review_due": (
                    today + timedelta(days=sample.review_in_days)
                    if sample.status != ResourceStatus.ARCHIVED
                    else None
                ),
            },
        )
        resource.objectives.set([objectives[number] for number in sample.objectives])
        resource.topics.set([topics[name] for name in sample.topics])
        resources[sample.slug] = resource
    Resource.objects.filter(is_sample=True).exclude(slug__in=resources).delete()
    return resources


def _seed_records(today: date, resources: dict[str, Resource], users: dict[str, User]) -> None:
    for record in SAMPLE_RECORDS:
        user = users.get(record.email)
        if user is None:
            continue
        completed_on = (
            today - timedelta(days=record.completed_days_ago)
            if record.completed_days_ago is not None
            else None
        )
        LearningRecord.objects.update_or_create(
            user=user,
            resource=resources[SAMPLE_SLUG_PREFIX + record.slug],
            defaults={
                "status": record.status,
                "completed_on": completed_on,
                "hours": Decimal(record.hours) if record.hours else None,
                "reflection": record.reflection,
            },
        )


def _seed_comments(today: date, resources: dict[str, Resource], users: dict[str, User]) -> None:
    curator = users.get(CURATOR)
    for comment in SAMPLE_COMMENTS:
        author = users.get(comment.email)
        if author is None:
            continue
        published = comment.status == CommentStatus.PUBLISHED
        Comment.objects.update_or_create(
            resource=resources[SAMPLE_SLUG_PREFIX + comment.slug],
            author=author,
            defaults={
                "rating": comment.rating,
                "body": comment.body,
                "status": comment.status,
                "moderated_by": curator if published else None,
                "moderated_at": _at_nine(today - timedelta(days=3)) if published else None,
            },
        )


@transaction.atomic
def seed_demo_catalogue() -> DemoCatalogueSummary:
    """Create (or bring back to the table) the sample catalogue, with records and comments by
    whichever demo accounts exist. Safe to run any number of times."""
    today = timezone.localdate()
    emails = {record.email for record in SAMPLE_RECORDS} | {c.email for c in SAMPLE_COMMENTS}
    users = {user.email: user for user in User.objects.filter(email__in=emails)}
    resources = _seed_resources(today, users.get(CURATOR))
    _seed_records(today, resources, users)
    _seed_comments(today, resources, users)

    samples = Resource.objects.filter(is_sample=True)
    comments = Comment.objects.filter(resource__is_sample=True)
    return DemoCatalogueSummary(
        resources=samples.count(),
        published=samples.published().count(),
        providers=Provider.objects.filter(resources__is_sample=True).distinct().count(),
        topics=Topic.objects.filter(resources__is_sample=True).distinct().count(),
        # The demo accounts' own, not the sample colleagues' (learning.demo_competencies).
        learning_records=LearningRecord.objects.filter(
            resource__is_sample=True, user__email__in=emails
        ).count(),
        comments=comments.count(),
        pending_comments=comments.filter(status=CommentStatus.PENDING).count(),
    )


# Used only when the framework has no statements yet (the starter framework's data migration
# normally provides them): enough for the demo's self-assessment to show something.
FALLBACK_STATEMENTS = (
    (1, "I can explain why physical and mental health needs so often go together (sample)"),
    (1, "I can notice when someone may be struggling with their mental health (sample)"),
    (1, "I can point a colleague or patient to support for mind and body (sample)"),
    (2, "I can recognise when physical symptoms may be linked to mental health (sample)"),
    (2, "I can ask about mood during a physical health review (sample)"),
    (2, "I can make a joined-up plan with the person and their carers (sample)"),
)
DEMO_COMPLETED_SLUG = SAMPLE_SLUG_PREFIX + "dementia-awareness-for-all-staff"


@transaction.atomic
def seed_demo_self_assessment() -> list[str]:
    """Give the demo staff member a part-done self-assessment (some statements rated, one rated
    again after learning that develops it, so My learning shows a change), the sample resources
    that develop their low-rated statements (so the pathway gives reasons), and a certificate
    for the resource they completed. Safe to run any number of times."""
    from learning.models import Competency, CompetencyRating
    from learning.services.certificates import CertificateRefused, do_issue_resource_certificate

    staff = User.objects.filter(email=STAFF).first()
    if staff is None:
        return []
    if not Competency.objects.filter(retired_at__isnull=True).exists():
        for position, (level, text) in enumerate(FALLBACK_STATEMENTS):
            Competency.objects.create(
                code=f"D{level}-{position:02d}", level=level, text=text, position=position
            )
    statements = list(Competency.objects.filter(level__in=(1, 2), retired_at__isnull=True))
    rated = statements[: max(1, len(statements) // 2)]
    completed = Resource.objects.filter(slug=DEMO_COMPLETED_SLUG).first()
    now = timezone.now()
    if not CompetencyRating.objects.filter(user=staff).exists():
        for n, statement in enumerate(rated):
            CompetencyRating.objects.create(
                user=staff,
                competency=statement,
                wording_version=statement.version,
                confidence=1 + n % 3,
                rated_at=now - timedelta(days=60),
            )
        # Rated again after the dementia module (completed 41 days ago): then 1, now 3.
        CompetencyRating.objects.create(
            user=staff,
            competency=rated[0],
            wording_version=rated[0].version,
            confidence=3,
            rated_at=now - timedelta(days=30),
        )
    if completed is not None and not rated[0].resources.exists():
        completed.competencies.add(rated[0])
    for statement in rated[1:]:
        if not statement.resources.exists():
            statement.resources.add(
                *Resource.objects.published()
                .filter(is_sample=True, level=statement.level)
                .exclude(slug=DEMO_COMPLETED_SLUG)
                .order_by("slug")[:2]
            )
    lines = [
        f"{staff.email}: self-assessment part done ({len(rated)} of {len(statements)} "
        "statements rated; one rated again after learning)"
    ]
    if completed is not None:
        try:
            certificate = do_issue_resource_certificate(user=staff, resource=completed)
        except CertificateRefused:
            return lines
        from learning.certificate_codes import display

        lines.append(
            f"{staff.email}: a certificate for {certificate.title}, verification code "
            f"{display(certificate.code)} (check it at /learning/certificates/check/)"
        )
    return lines


def seed() -> list[DemoSection]:
    """The learning app's demo step for `seed_demo`: seed the sample catalogue and say what it
    holds. Run after the demo accounts, so sample records and comments have their authors."""
    catalogue = seed_demo_catalogue()
    return [
        DemoSection(
            heading="Sample learning catalogue (labelled as sample content):",
            lines=catalogue.lines(),
        ),
        DemoSection(
            heading="Competency framework and impact (sample colleagues):",
            lines=seed_demo_competency_impact(),
        ),
        DemoSection(
            heading="A staff member's self-assessment and certificate:",
            lines=seed_demo_self_assessment(),
        ),
    ]
